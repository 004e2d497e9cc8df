package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The committed PNGs must be what this program draws, or the next person to
// run it gets changes they did not make. Pixels are compared, not bytes, with
// one level of slack: the PNG encoder and floating point (fused multiply-add
// on some CPUs) may differ across Go versions and machines.
func TestAssetsAreCurrent(t *testing.T) {
	for _, ic := range icons() {
		f, err := os.Open(filepath.Join("..", "..", "assets", ic.name))
		if err != nil {
			t.Fatal(err)
		}
		have, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", ic.name, err)
		}
		want := ic.c.image()
		if have.Bounds() != want.Bounds() {
			t.Errorf("%s is %v, draws %v: run go run ./tools/icons", ic.name, have.Bounds(), want.Bounds())
			continue
		}
		if p, ok := differs(have, want); ok {
			t.Errorf("%s differs at %v: run go run ./tools/icons", ic.name, p)
		}
	}
}

func differs(have image.Image, want *image.NRGBA) (image.Point, bool) {
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			hr, hg, hb, ha := have.At(x, y).RGBA()
			wr, wg, wb, wa := want.At(x, y).RGBA()
			for _, d := range [][2]uint32{{hr, wr}, {hg, wg}, {hb, wb}, {ha, wa}} {
				if diff := int(d[0]>>8) - int(d[1]>>8); diff > 1 || diff < -1 {
					return image.Pt(x, y), true
				}
			}
		}
	}
	return image.Point{}, false
}
