package ui

import "fyne.io/fyne/v2"

// adaptiveBar lays out a bar of three parts: a left part in two forms, a
// centre that takes the room left, and a right part. The left part is
// wide (words) when everything fits at its minimum, narrow (icons)
// otherwise; the bar's minimum is the narrow form's, so the window may be
// as small as that allows (an 800×600 screen, or a scale of 2).
type adaptiveBar struct {
	wide, narrow, center, right fyne.CanvasObject
	changed                     func(wide bool) // nil: nothing else follows
	isWide                      bool
}

func newAdaptiveBar(wide, narrow, center, right fyne.CanvasObject, changed func(bool)) *fyne.Container {
	b := &adaptiveBar{wide: wide, narrow: narrow, center: center, right: right, changed: changed, isWide: true}
	narrow.Hide()
	objs := []fyne.CanvasObject{wide, narrow}
	for _, o := range []fyne.CanvasObject{center, right} {
		if o != nil {
			objs = append(objs, o)
		}
	}
	return &fyne.Container{Layout: b, Objects: objs}
}

// searchRoom is the least width the wide form leaves a centre part.
const searchRoom = 180

func minWidth(o fyne.CanvasObject) float32 {
	if o == nil {
		return 0
	}
	return o.MinSize().Width
}

func (b *adaptiveBar) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	pad := float32(4)
	rest := minWidth(b.right) + 2*pad
	if b.center != nil {
		rest += max(minWidth(b.center), searchRoom) // the wide form leaves the search some room
	}
	fits := minWidth(b.wide)+rest <= size.Width
	if fits != b.isWide {
		b.isWide = fits
		if fits {
			b.wide.Show()
			b.narrow.Hide()
		} else {
			b.wide.Hide()
			b.narrow.Show()
		}
		if b.changed != nil {
			b.changed(fits)
		}
	}
	left := b.narrow
	if fits {
		left = b.wide
	}
	lw := minWidth(left)
	left.Resize(fyne.NewSize(lw, size.Height))
	left.Move(fyne.NewPos(0, 0))
	rw := minWidth(b.right)
	if b.right != nil {
		b.right.Resize(fyne.NewSize(rw, size.Height))
		b.right.Move(fyne.NewPos(size.Width-rw, 0))
	}
	if b.center != nil {
		b.center.Resize(fyne.NewSize(max(size.Width-lw-rw-2*pad, 0), size.Height))
		b.center.Move(fyne.NewPos(lw+pad, 0))
	}
}

func (b *adaptiveBar) MinSize([]fyne.CanvasObject) fyne.Size {
	h := max(b.wide.MinSize().Height, b.narrow.MinSize().Height)
	for _, o := range []fyne.CanvasObject{b.center, b.right} {
		if o != nil {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(minWidth(b.narrow)+minWidth(b.center)+minWidth(b.right)+8, h)
}

// fitSize is a dialog's size: w×h, or less on a small screen (a dialog
// larger than its window cannot be moved into view).
func fitSize(win fyne.Window, w, h float32) fyne.Size {
	c := win.Canvas().Size()
	if c.Width > 0 {
		w = min(w, c.Width-40)
	}
	if c.Height > 0 {
		h = min(h, c.Height-40)
	}
	return fyne.NewSize(w, h)
}
