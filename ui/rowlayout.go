package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// compactTheme is the app's theme with less room around text, for the
// compact rows: a label's padding, not its text, is most of its height.
// It asks the app's theme at each call, so it follows a switch of theme.
type compactTheme struct{}

func (compactTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t compactTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.base().Color(n, v)
}
func (t compactTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.base().Font(s) }
func (t compactTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

func (t compactTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameInnerPadding:
		return 1
	case theme.SizeNamePadding:
		return 2
	case theme.SizeNameInlineIcon:
		return 16
	}
	return t.base().Size(n)
}

// columns lays objects out in one line: a weight of 0 is the object's
// own width, the others share the rest by weight. Its minimum is small,
// so a narrow window truncates text instead of growing.
type columns struct{ weights []float32 }

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	fixed, total := float32(0), float32(0)
	for i, o := range objs {
		if c.weights[i] == 0 {
			fixed += o.MinSize().Width
		}
		total += c.weights[i]
	}
	rest := max(size.Width-fixed-pad*float32(len(objs)-1), 0)
	x := float32(0)
	for i, o := range objs {
		w := o.MinSize().Width
		if c.weights[i] > 0 {
			w = rest * c.weights[i] / total
		}
		h := min(o.MinSize().Height, size.Height)
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		x += w + pad
	}
}

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, 0)
	for i, o := range objs {
		m := o.MinSize()
		if c.weights[i] == 0 {
			s.Width += m.Width
		} else {
			s.Width += 40
		}
		s.Height = max(s.Height, m.Height)
	}
	return s.AddWidthHeight(theme.Padding()*float32(len(objs)-1), 0)
}

// nameDetail lays a row's first line out: the name on the left, the
// figures on the right at their full width when there is room (up to
// 60 % of the line), each truncated when there is not.
type nameDetail struct{ detail *widget.Label }

func (l *nameDetail) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	name, detail := objs[0], objs[1]
	want := fyne.MeasureText(l.detail.Text, theme.Size(l.detail.SizeName), l.detail.TextStyle).Width + 2*theme.InnerPadding() + theme.Padding()
	dw := min(want, size.Width*0.6)
	detail.Resize(fyne.NewSize(dw, size.Height))
	detail.Move(fyne.NewPos(size.Width-dw, 0))
	name.Resize(fyne.NewSize(max(size.Width-dw, 0), size.Height))
	name.Move(fyne.NewPos(0, 0))
}

func (l *nameDetail) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}
