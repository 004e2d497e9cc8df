package main

import (
	"image"
	"math"
)

// rgba is a colour with straight (not premultiplied) components in [0, 1].
type rgba struct{ r, g, b, a float64 }

// hex reads "#rrggbb"; the palette is written the way designers write it.
func hex(s string) rgba {
	var v [3]float64
	for i := range v {
		hi, lo := unhex(s[1+2*i]), unhex(s[2+2*i])
		v[i] = float64(hi<<4|lo) / 255
	}
	return rgba{v[0], v[1], v[2], 1}
}

func unhex(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

func (c rgba) alpha(a float64) rgba { c.a *= a; return c }

// A paint gives the colour at a point, so fills can be gradients.
type paint func(x, y float64) rgba

func solid(c rgba) paint { return func(x, y float64) rgba { return c } }

// linear runs from c0 at (x0, y0) to c1 at (x1, y1), flat beyond both ends.
func linear(x0, y0, x1, y1 float64, c0, c1 rgba) paint {
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	return func(x, y float64) rgba {
		t := math.Max(0, math.Min(1, ((x-x0)*dx+(y-y0)*dy)/l2))
		mix := func(a, b float64) float64 { return a + (b-a)*t }
		return rgba{mix(c0.r, c1.r), mix(c0.g, c1.g), mix(c0.b, c1.b), mix(c0.a, c1.a)}
	}
}

// canvas holds premultiplied colour as floats, so layers blend without
// rounding until the one conversion to 8 bits at the end.
type canvas struct {
	n   int
	pix []float64 // r, g, b, a per pixel, premultiplied
}

func newCanvas(n int) *canvas { return &canvas{n: n, pix: make([]float64, 4*n*n)} }

// each calls f with every pixel's centre and its slot in pix.
func (c *canvas) each(f func(x, y float64, p []float64)) {
	for j := 0; j < c.n; j++ {
		for i := 0; i < c.n; i++ {
			k := 4 * (j*c.n + i)
			f(float64(i)+0.5, float64(j)+0.5, c.pix[k:k+4])
		}
	}
}

// cover is how much of a one-pixel square at distance d lies inside: a
// one-pixel ramp across the edge, which is what makes the edges smooth.
func cover(d float64) float64 { return math.Max(0, math.Min(1, 0.5-d)) }

// fill paints s with p, source over.
func (c *canvas) fill(s shape, p paint) {
	c.each(func(x, y float64, px []float64) {
		if a := cover(s(x, y)); a > 0 {
			over(px, p(x, y), a)
		}
	})
}

// shadow paints a soft copy of s, blurred over blur pixels and moved by
// (dx, dy): a smoothstep across the distance stands in for a Gaussian.
func (c *canvas) shadow(s shape, dx, dy, blur float64, col rgba) {
	c.each(func(x, y float64, px []float64) {
		t := math.Max(0, math.Min(1, 0.5-s(x-dx, y-dy)/(2*blur)))
		if a := t * t * (3 - 2*t); a > 0 {
			over(px, col, a)
		}
	})
}

// erase clears s back to transparent: the gap that sets a badge off from
// the tile behind it, whatever the panel colour.
func (c *canvas) erase(s shape) {
	c.each(func(x, y float64, px []float64) {
		if a := cover(s(x, y)); a > 0 {
			for k := range px {
				px[k] *= 1 - a
			}
		}
	})
}

func over(px []float64, col rgba, cov float64) {
	a := col.a * cov
	px[0] = col.r*a + px[0]*(1-a)
	px[1] = col.g*a + px[1]*(1-a)
	px[2] = col.b*a + px[2]*(1-a)
	px[3] = a + px[3]*(1-a)
}

func (c *canvas) image() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, c.n, c.n))
	to8 := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255)) }
	for k := 0; k < len(c.pix); k += 4 {
		a := c.pix[k+3]
		if a <= 0 {
			continue // transparent black, so equal inputs give equal files
		}
		img.Pix[k] = to8(c.pix[k] / a)
		img.Pix[k+1] = to8(c.pix[k+1] / a)
		img.Pix[k+2] = to8(c.pix[k+2] / a)
		img.Pix[k+3] = to8(a)
	}
	return img
}
