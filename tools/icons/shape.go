package main

import "math"

// A shape is a signed distance field: negative inside, positive outside, in
// the units of the coordinates it is given. Distances rather than inside/outside
// tests give exact antialiasing at any size from one description, and make
// outlines, cut-out rings and soft shadows a matter of adding a constant.
type shape func(x, y float64) float64

func circle(cx, cy, r float64) shape {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

// roundRect is the box from (x0, y0) to (x1, y1) with corners of radius r.
func roundRect(x0, y0, x1, y1, r float64) shape {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	return func(x, y float64) float64 {
		qx, qy := math.Abs(x-cx)-hx, math.Abs(y-cy)-hy
		out := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
		return out + math.Min(math.Max(qx, qy), 0) - r
	}
}

// segment is a stroke of width w from a to b with round caps.
func segment(ax, ay, bx, by, w float64) shape {
	return func(x, y float64) float64 { return segDist(x, y, ax, ay, bx, by) - w/2 }
}

func segDist(x, y, ax, ay, bx, by float64) float64 {
	px, py, dx, dy := x-ax, y-ay, bx-ax, by-ay
	t := math.Max(0, math.Min(1, (px*dx+py*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-dx*t, py-dy*t)
}

// stroke is a polyline of width w through pts (x, y pairs), round joins.
func stroke(w float64, pts ...float64) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for i := 0; i+3 < len(pts); i += 2 {
			d = math.Min(d, segDist(x, y, pts[i], pts[i+1], pts[i+2], pts[i+3]))
		}
		return d - w/2
	}
}

// polygon is the closed polygon through pts (x, y pairs); its sign comes from
// the even-odd rule, so the winding order does not matter.
func polygon(pts ...float64) shape {
	n := len(pts) / 2
	return func(x, y float64) float64 {
		d, inside := math.Inf(1), false
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			ax, ay, bx, by := pts[2*j], pts[2*j+1], pts[2*i], pts[2*i+1]
			d = math.Min(d, segDist(x, y, ax, ay, bx, by))
			if (by > y) != (ay > y) && x < (ax-bx)*(y-by)/(ay-by)+bx {
				inside = !inside
			}
		}
		if inside {
			return -d
		}
		return d
	}
}

// round grows s by r: sharp corners become arcs of radius r.
func round(s shape, r float64) shape {
	return func(x, y float64) float64 { return s(x, y) - r }
}

func union(ss ...shape) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, s := range ss {
			d = math.Min(d, s(x, y))
		}
		return d
	}
}

func intersect(a, b shape) shape {
	return func(x, y float64) float64 { return math.Max(a(x, y), b(x, y)) }
}

// place maps a shape drawn in the unit box onto the box at (x0, y0) of side
// size, so one glyph serves the app icon and every tray icon.
func place(s shape, x0, y0, size float64) shape {
	return func(x, y float64) float64 { return s((x-x0)/size, (y-y0)/size) * size }
}

// wave is a sine stroke of width w from x0 to x1 around y, with the given
// amplitude and number of periods, as a polyline fine enough to look smooth.
func wave(x0, x1, y, amp float64, periods, w float64) shape {
	const steps = 96
	pts := make([]float64, 0, 2*(steps+1))
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps
		pts = append(pts, x0+(x1-x0)*t, y-amp*math.Sin(2*math.Pi*periods*t))
	}
	return stroke(w, pts...)
}
