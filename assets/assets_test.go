package assets

import (
	"bytes"
	"image/png"
	"testing"
)

// Each icon must decode at the size the desktop and the tray are given, and
// a tray icon must be transparent in its corners, or it shows as a square
// patch on panels of any other colour.
func TestIcons(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		size int
		tray bool
	}{
		{"Icon", Icon, 512, false},
		{"TrayIdle", TrayIdle, 64, true},
		{"TrayUploading", TrayUploading, 64, true},
		{"TrayPaused", TrayPaused, 64, true},
		{"TrayAttention", TrayAttention, 64, true},
	} {
		img, err := png.Decode(bytes.NewReader(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		b := img.Bounds()
		if b.Dx() != c.size || b.Dy() != c.size {
			t.Errorf("%s is %dx%d, want %dx%d", c.name, b.Dx(), b.Dy(), c.size, c.size)
		}
		if !c.tray {
			continue
		}
		for _, p := range [][2]int{{b.Min.X, b.Min.Y}, {b.Max.X - 1, b.Min.Y}, {b.Min.X, b.Max.Y - 1}, {b.Max.X - 1, b.Max.Y - 1}} {
			if _, _, _, a := img.At(p[0], p[1]).RGBA(); a != 0 {
				t.Errorf("%s: corner %v has alpha %d, want transparent", c.name, p, a>>8)
			}
		}
	}
}
