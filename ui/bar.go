package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bar is a thin progress bar whose colour says the state: Fyne's own is
// as tall as a button, which makes a queue of hundreds a long scroll.
type bar struct {
	widget.BaseWidget
	value  float64
	colour fyne.ThemeColorName
	track  *canvas.Rectangle
	fill   *canvas.Rectangle
}

func newBar() *bar {
	b := &bar{colour: theme.ColorNamePrimary,
		track: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		fill:  canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))}
	b.track.CornerRadius, b.fill.CornerRadius = 3, 3
	b.ExtendBaseWidget(b)
	return b
}

// set shows v (0..1) in colour c; nothing is redrawn when neither moved.
func (b *bar) set(v float64, c fyne.ThemeColorName) {
	if v == b.value && c == b.colour {
		return
	}
	b.value, b.colour = v, c
	b.Refresh()
}

func (b *bar) CreateRenderer() fyne.WidgetRenderer { return &barRenderer{b: b} }

type barRenderer struct{ b *bar }

func (r *barRenderer) Layout(s fyne.Size) {
	r.b.track.Resize(s)
	r.b.fill.Resize(fyne.NewSize(s.Width*float32(min(max(r.b.value, 0), 1)), s.Height))
}

func (r *barRenderer) MinSize() fyne.Size { return fyne.NewSize(40, 6) }

func (r *barRenderer) Refresh() {
	r.b.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.b.fill.FillColor = theme.Color(r.b.colour)
	if r.b.colour == theme.ColorNameSuccess { // done: quieter than what still moves
		cr, cg, cb, _ := r.b.fill.FillColor.RGBA()
		r.b.fill.FillColor = color.NRGBA{R: uint8(cr >> 8), G: uint8(cg >> 8), B: uint8(cb >> 8), A: 0xb0}
	}
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.track, r.b.fill} }
func (r *barRenderer) Destroy()                     {}
