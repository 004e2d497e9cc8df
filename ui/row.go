package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// row draws one job. The list keeps only as many as fit on screen and
// re-binds them to whichever jobs are scrolled into view (no widget per
// job), so everything a row does goes through its current job id.
//
// A row is two layouts of the same widgets: the full one (two lines and
// buttons) and the compact one (one line, as Transmission's compact view;
// its actions are the selection's, the keys and the right-click menu).
type row struct {
	widget.BaseWidget
	w       *Window
	id      string
	compact bool
	mods    fyne.KeyModifier // held at the last mouse press

	pick    *canvas.Rectangle // the selection's background
	icon    *widget.Icon
	name    *widget.Label
	bar     *bar
	state   *widget.Label
	detail  *widget.Label
	fix     *widget.Hyperlink // the action an error calls for ("Check the destination")
	primary *rowButton        // pause / resume / retry / copy link
	second  *rowButton        // cancel / remove
	more    *rowButton        // everything else, in a menu
	top     *fyne.Container   // name and figures (full rows)
	content fyne.CanvasObject
}

func newRow(w *Window, compact bool) *row {
	r := &row{w: w, compact: compact,
		pick:   canvas.NewRectangle(theme.Color(theme.ColorNameSelection)),
		icon:   widget.NewIcon(theme.FileVideoIcon()),
		name:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar:    newBar(),
		state:  widget.NewLabel(""),
		detail: widget.NewLabel(""),
	}
	r.pick.CornerRadius = theme.InputRadiusSize()
	r.pick.Hide()
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.state.SizeName = theme.SizeNameCaptionText
	r.detail.SizeName = theme.SizeNameCaptionText
	r.detail.Alignment = fyne.TextAlignTrailing
	r.fix = widget.NewHyperlink("", nil)
	r.fix.OnTapped = func() { r.w.fixFor(r.id) }
	r.fix.SizeName = theme.SizeNameCaptionText
	r.primary = newRowButton(w, theme.MediaPauseIcon())
	r.second = newRowButton(w, theme.CancelIcon())
	r.more = newRowButton(w, theme.MoreVerticalIcon())
	r.more.OnTapped = func() { r.w.rowMenu(r.id, r.more) }
	if compact {
		r.content = container.NewThemeOverride(
			container.New(&columns{weights: []float32{0, 0.3, 0.1, 0.4, 0.2}},
				r.icon, r.name, r.bar, r.state, r.detail),
			compactTheme{})
	} else {
		buttons := container.NewHBox(r.primary, r.second, r.more)
		r.top = container.New(&nameDetail{r.detail}, r.name, r.detail)
		top := r.top
		text := container.NewVBox(top, r.bar, container.NewBorder(nil, nil, nil, r.fix, r.state))
		r.content = container.NewBorder(nil, nil, container.NewCenter(r.icon), container.NewCenter(buttons), text)
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *row) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.pick, r.content))
}

// MouseDown notes the modifiers of a click (Tapped has none).
func (r *row) MouseDown(e *desktop.MouseEvent) { r.mods = e.Modifier }
func (r *row) MouseUp(*desktop.MouseEvent)     {}

// Tapped selects the row: alone, Ctrl-click adds or takes it out, Shift-
// click selects the range from the last click.
func (r *row) Tapped(*fyne.PointEvent) {
	mods := r.mods
	r.mods = 0
	r.w.click(r.id, mods)
}

// TappedSecondary (a right click) opens the row's menu, for the
// selection when the row is part of it.
func (r *row) TappedSecondary(e *fyne.PointEvent) {
	if !r.w.m.isSelected(r.id) {
		r.w.click(r.id, 0)
	}
	r.w.rowMenuAt(r.id, e.AbsolutePosition)
}

// bind shows job j.
func (r *row) bind(j engine.Job, copied, selected bool) {
	if r.id != j.ID {
		r.dropFocus() // a recycled row: a focused button must not act on another job
	}
	r.id = j.ID
	if selected != r.pick.Visible() {
		r.pick.Hidden = !selected
		r.pick.FillColor = theme.Color(theme.ColorNameSelection)
		r.pick.Refresh()
	}
	r.name.SetText(filepath.Base(j.Path))
	state := stateLine(j, r.w.now(), copied)
	if r.w.cancelling(j.ID) { // paused until Undo is no longer offered
		state = "Cancelling — Undo below keeps it"
	}
	if res := resultLine(j); res != "" {
		state += "  ·  " + res
	}
	r.state.SetText(state)
	detail := detailLine(j)
	if to := destLabel(j.Dest); to != "" && to != r.w.dest.Selected {
		detail += " · to " + to
	}
	if detail != r.detail.Text {
		r.detail.SetText(detail)
		if r.top != nil {
			r.top.Refresh() // the figures' width moved
		}
	}
	imp, colour := stateLook(j.State)
	r.state.Importance = imp
	r.bar.set(j.Progress(), colour)
	r.state.Refresh()
	if r.compact {
		return
	}
	if fix := fixLabel(j); fix != "" {
		r.fix.SetText(fix)
		r.fix.Show()
	} else {
		r.fix.Hide()
	}
	id, st := j.ID, j.State
	if r.w.cancelling(id) {
		st = engine.Paused // Ferry paused it (the model may not know yet): Resume keeps it
	}
	act := func(b *rowButton, icon fyne.Resource, fn func(...string) error) {
		b.SetIcon(icon)
		b.OnTapped = func() { r.w.do(fn, id) }
		b.Show()
	}
	switch st {
	case engine.Queued, engine.Uploading, engine.Waiting:
		act(r.primary, theme.MediaPauseIcon(), r.w.eng.Pause)
		r.second.SetIcon(theme.CancelIcon())
		r.second.OnTapped = func() { r.w.cancelJobs([]string{id}) }
		r.second.Show()
	case engine.Paused:
		act(r.primary, theme.MediaPlayIcon(), r.w.eng.Resume)
		r.second.SetIcon(theme.CancelIcon())
		r.second.OnTapped = func() { r.w.cancelJobs([]string{id}) }
		r.second.Show()
	case engine.Failed, engine.Cancelled, engine.Done:
		if j.State == engine.Done {
			r.primary.SetIcon(theme.ContentCopyIcon())
			r.primary.OnTapped = func() { r.w.copyLink(id) }
			r.primary.Show()
			if shareable(j) == "" {
				r.primary.Hide()
			}
		} else {
			act(r.primary, theme.ViewRefreshIcon(), r.w.eng.Retry)
		}
		r.second.SetIcon(theme.DeleteIcon())
		r.second.OnTapped = func() { r.w.removeJobs([]string{id}) }
		r.second.Show()
	}
}

// dropFocus takes the keyboard focus from the row's buttons.
func (r *row) dropFocus() {
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil {
		return
	}
	switch c.Focused() {
	case r.primary, r.second, r.more:
		c.Unfocus()
	}
}

// stateLook is how a state is drawn: its text's importance and its
// bar's colour. The words always say the state too: colour is never
// the only sign.
func stateLook(s engine.State) (widget.Importance, fyne.ThemeColorName) {
	switch s {
	case engine.Failed:
		return widget.DangerImportance, theme.ColorNameError
	case engine.Done:
		return widget.SuccessImportance, theme.ColorNameSuccess
	case engine.Waiting:
		return widget.WarningImportance, theme.ColorNameWarning
	case engine.Paused, engine.Cancelled, engine.Queued:
		return widget.MediumImportance, theme.ColorNamePlaceHolder
	}
	return widget.MediumImportance, theme.ColorNamePrimary
}

// rowButton is a row's icon button. Space and Delete on it act on
// the selected rows, as they do anywhere in the list: a button keeps the
// focus after a click, and its row may meanwhile show another job.
type rowButton struct {
	widget.Button
	w *Window
}

func newRowButton(w *Window, icon fyne.Resource) *rowButton {
	b := &rowButton{w: w}
	b.Icon = icon
	b.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	return b
}

func (b *rowButton) TypedKey(e *fyne.KeyEvent) {
	if !b.w.rowKey(e) {
		b.Button.TypedKey(e)
	}
}

func (b *rowButton) TypedRune(rune) {} // Space comes as a key too

// fixLabel names the action an error calls for, "" when none.
func fixLabel(j engine.Job) string {
	if j.State != engine.Failed {
		return ""
	}
	switch j.ErrorCode {
	case fault.CodeAuth, fault.CodeNoDestination, fault.CodeNotTus, fault.CodeBadURL:
		if j.Dest.Name != "" {
			return "Check the destination"
		}
	case fault.CodeFileGone:
		return "Show folder"
	}
	return ""
}
