// Command icons draws Ferry's app icon and tray icons into assets/.
//
//	go run ./tools/icons            # from the repository root
//
// The icons are code rather than hand-drawn files so that a change of
// colour or shape is one edit here and every size stays in step. Only the
// standard library: the shapes are signed distance fields, which give
// antialiased edges without a vector rasterizer. The output is the same
// bytes on every run; the PNGs are committed, so building Ferry never runs this.
package main

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "assets", "directory to write the PNGs into")
	flag.Parse()

	for _, ic := range icons() {
		if err := write(filepath.Join(*out, ic.name), ic.c); err != nil {
			fmt.Fprintln(os.Stderr, "icons:", err)
			os.Exit(1)
		}
	}
}

type icon struct {
	name string
	c    *canvas
}

func icons() []icon {
	return []icon{
		{"icon.png", appIcon(512)},
		{"tray-idle.png", trayIdle(64)},
		{"tray-uploading.png", trayUploading(64)},
		{"tray-paused.png", trayPaused(64)},
		{"tray-attention.png", trayAttention(64)},
	}
}

func write(path string, c *canvas) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, c.image()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
