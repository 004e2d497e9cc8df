package main

// The palette: a deep teal-to-blue tile for the brand, slate for the tray at
// rest, and badge colours that keep their meaning on light and dark panels.
var (
	teal     = hex("#0fa3a3")
	deepBlue = hex("#1d4fb8")
	white    = hex("#ffffff")
	ink      = hex("#0b2540")
	slate    = hex("#6b7a8c")
	darkSlat = hex("#3d4a5c")
	seaGreen = hex("#14b8a6")
	seaBlue  = hex("#0e7fc2")
	amber    = hex("#f59e0b")
	red      = hex("#e5342f")
)

// appIcon is the tile with the full mark. The tile leaves a small margin
// as desktop icon themes expect, so it does not look larger than its peers.
func appIcon(n int) *canvas {
	c := newCanvas(n)
	s := float64(n)
	m := s * 0.055
	side := s - 2*m
	tile := roundRect(m, m, s-m, s-m, side*0.225)
	c.shadow(tile, 0, s*0.012, s*0.02, ink.alpha(0.35))
	c.fill(tile, linear(m, m, s-m, s-m, teal, deepBlue))
	// The mark sits a little high: its wave is light, its arrow heavy.
	glyph := place(mark(true), m, m-side*0.025, side)
	c.shadow(glyph, 0, side*0.014, side*0.018, ink.alpha(0.28))
	c.fill(glyph, solid(white))
	return c
}

// trayTile draws the tile and mark filling most of a tray icon; panels show
// tray icons small, so the margin is just enough for the antialiased edge.
func trayTile(n int, top, bottom rgba) *canvas {
	c := newCanvas(n)
	s := float64(n)
	m := s * 0.03
	side := s - 2*m
	c.fill(roundRect(m, m, s-m, s-m, side*0.24), linear(m, m, s-m, s-m, top, bottom))
	// Without its water the mark is shorter: drawn 10 % larger and centred,
	// the hull stays more than a hairline at 22 pixels.
	g := side * 1.1
	c.fill(place(mark(false), s/2-g/2, s/2-g*0.475, g), solid(white))
	return c
}

// badge cuts a ring out of the tile at the lower right and puts a disc of
// col there, carrying whatever glyph draws: the ring keeps the badge apart
// from the tile on any panel.
func badge(c *canvas, col rgba, glyph func(cx, cy, r float64) shape) {
	s := float64(c.n)
	cx, cy, r := s*0.755, s*0.755, s*0.225
	c.erase(circle(cx, cy, r+s*0.06))
	c.fill(circle(cx, cy, r), solid(col))
	c.fill(glyph(cx, cy, r), solid(white))
}

func pauseBars(cx, cy, r float64) shape {
	w, h, gap := r*0.3, r*0.95, r*0.2
	return union(
		roundRect(cx-gap-w, cy-h/2, cx-gap, cy+h/2, w*0.3),
		roundRect(cx+gap, cy-h/2, cx+gap+w, cy+h/2, w*0.3),
	)
}

func bang(cx, cy, r float64) shape {
	w := r * 0.3
	return union(
		segment(cx, cy-r*0.5, cx, cy+r*0.1, w),
		circle(cx, cy+r*0.48, w*0.58),
	)
}

func trayIdle(n int) *canvas { return trayTile(n, slate, darkSlat) }

func trayUploading(n int) *canvas { return trayTile(n, seaGreen, seaBlue) }

func trayPaused(n int) *canvas {
	c := trayTile(n, slate, darkSlat)
	badge(c, amber, pauseBars)
	return c
}

func trayAttention(n int) *canvas {
	c := trayTile(n, slate, darkSlat)
	badge(c, red, bang)
	return c
}
