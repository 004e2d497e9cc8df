package main

// The Ferry mark, in a unit box the size of its tile: an up arrow (the
// upload) standing on a hull (the ferry that carries it), over a wave.
// Few, bold parts, so that it still reads as a boat at 22 pixels.

// arrow is the cargo: a wide head on a short shaft.
func arrow() shape {
	head := round(polygon(0.5, 0.19, 0.705, 0.405, 0.295, 0.405), 0.025)
	shaft := roundRect(0.43, 0.34, 0.57, 0.575, 0.025)
	return union(head, shaft)
}

// hull is a flat deck over sides that curve in to the keel: the straight
// edges of a trapezoid, bellied a little, read as a boat and not a tray.
func hull() shape {
	sides := polygon(0.175, 0.63, 0.825, 0.63, 0.7, 0.755, 0.3, 0.755)
	belly := circle(0.5, -1.2, 1.955)
	return round(intersect(sides, belly), 0.03)
}

func water() shape { return wave(0.23, 0.77, 0.855, 0.02, 2, 0.045) }

// mark is the glyph; small sizes leave the water out, where a thin wave
// would only blur into the hull.
func mark(withWater bool) shape {
	if withWater {
		return union(arrow(), hull(), water())
	}
	return union(arrow(), hull())
}
