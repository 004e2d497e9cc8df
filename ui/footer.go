package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
)

// footer sums the queue up: files and bytes left, speed, ETA, and the
// speed of the last minute as a small graph.
type footer struct {
	widget.BaseWidget
	files, bytes, speed, eta *widget.Label
	graph                    *graph
	content                  fyne.CanvasObject
}

func newFooter() *footer {
	f := &footer{files: widget.NewLabel(""), bytes: widget.NewLabel(""), speed: widget.NewLabel(""), eta: widget.NewLabel(""), graph: newGraph(60)}
	f.content = container.NewBorder(nil, nil,
		container.NewHBox(f.files, f.bytes, f.speed, f.eta), f.graph)
	f.ExtendBaseWidget(f)
	return f
}

func (f *footer) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.content) }

func (f *footer) show(t engine.Totals) {
	f.files.SetText(plural(t.FilesLeft, "file") + " left")
	f.bytes.SetText(size(t.BytesLeft) + " to send")
	f.speed.SetText(activity(t))
	if t.ETA > 0 && t.Speed > 0 {
		f.eta.SetText(left(t.ETA))
	} else {
		f.eta.SetText("")
	}
}

// activity is the queue's speed, or, when no bytes move, why: "idle"
// only when nothing is left to send at all.
func activity(t engine.Totals) string {
	if t.Speed > 0 {
		return rate(t.Speed)
	}
	if h := t.Holdup(); h != "" {
		return h
	}
	return "idle"
}

// sample adds one second's speed to the graph.
func (f *footer) sample(bps float64) { f.graph.add(bps) }

// graph draws the last n speed samples as bars, scaled to the highest.
// Its bars are made once; a sample moves their heights (no allocation
// per second) and nothing is redrawn while the graph stays flat at zero.
type graph struct {
	widget.BaseWidget
	samples []float64 // ring
	next    int
	bars    []*canvas.Rectangle
	base    *canvas.Rectangle
}

func newGraph(n int) *graph {
	g := &graph{samples: make([]float64, n), base: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))}
	for range n {
		g.bars = append(g.bars, canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)))
	}
	g.ExtendBaseWidget(g)
	return g
}

func (g *graph) add(v float64) {
	last := g.samples[(g.next+len(g.samples)-1)%len(g.samples)]
	g.samples[g.next] = v
	g.next = (g.next + 1) % len(g.samples)
	if v == 0 && last == 0 && g.max() == 0 {
		return
	}
	g.Refresh()
}

func (g *graph) max() float64 {
	m := 0.0
	for _, s := range g.samples {
		m = max(m, s)
	}
	return m
}

func (g *graph) MinSize() fyne.Size { return fyne.NewSize(180, 28) }

func (g *graph) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{g.base}
	for _, b := range g.bars {
		objs = append(objs, b)
	}
	return &graphRenderer{g: g, objs: objs}
}

type graphRenderer struct {
	g    *graph
	objs []fyne.CanvasObject
}

func (r *graphRenderer) Layout(s fyne.Size) {
	g := r.g
	g.base.FillColor = theme.Color(theme.ColorNameInputBackground) // follows a change of theme
	g.base.Resize(s)
	g.base.Move(fyne.NewPos(0, 0))
	n := len(g.bars)
	w := s.Width / float32(n)
	top := g.max()
	for i, b := range g.bars {
		v := g.samples[(g.next+i)%n] // oldest first
		h := float32(0)
		if top > 0 {
			h = float32(v/top) * (s.Height - 2)
		}
		b.FillColor = barColor()
		b.Resize(fyne.NewSize(max(w-1, 1), h))
		b.Move(fyne.NewPos(float32(i)*w, s.Height-h))
	}
}

func barColor() color.Color { return theme.Color(theme.ColorNamePrimary) }

func (r *graphRenderer) MinSize() fyne.Size           { return r.g.MinSize() }
func (r *graphRenderer) Refresh()                     { r.Layout(r.g.Size()); canvas.Refresh(r.g) }
func (r *graphRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *graphRenderer) Destroy()                     {}
