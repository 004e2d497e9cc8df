package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
)

// row draws one job. The list keeps only as many as fit on screen and
// re-binds them to whichever jobs are scrolled into view (no widget per
// job), so everything a row does goes through its current job id.
type row struct {
	widget.BaseWidget
	w  *Window
	id string

	icon    *widget.Icon
	name    *widget.Label
	bar     *bar
	state   *widget.Label
	detail  *widget.Label
	fix     *widget.Hyperlink // the action an error calls for ("Check the destination")
	primary *widget.Button    // pause / resume / retry / copy link
	second  *widget.Button    // cancel / remove
	more    *widget.Button    // everything else, in a menu
	content fyne.CanvasObject
}

func newRow(w *Window) *row {
	r := &row{w: w,
		icon:   widget.NewIcon(theme.FileVideoIcon()),
		name:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar:    newBar(),
		state:  widget.NewLabel(""),
		detail: widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.state.SizeName = theme.SizeNameCaptionText
	r.detail.SizeName = theme.SizeNameCaptionText
	r.detail.Alignment = fyne.TextAlignTrailing
	r.fix = widget.NewHyperlink("", nil)
	r.fix.OnTapped = func() { r.w.fixFor(r.id) }
	r.fix.SizeName = theme.SizeNameCaptionText
	r.primary = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), nil)
	r.second = widget.NewButtonWithIcon("", theme.CancelIcon(), nil)
	r.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { r.w.rowMenu(r.id, r.more) })
	for _, b := range []*widget.Button{r.primary, r.second, r.more} {
		b.Importance = widget.LowImportance
	}
	buttons := container.NewHBox(r.primary, r.second, r.more)
	top := container.NewBorder(nil, nil, nil, r.detail, r.name)
	text := container.NewVBox(top, r.bar, container.NewBorder(nil, nil, nil, r.fix, r.state))
	r.content = container.NewBorder(nil, nil, container.NewCenter(r.icon), container.NewCenter(buttons), text)
	r.ExtendBaseWidget(r)
	return r
}

func (r *row) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

// bind shows job j.
func (r *row) bind(j engine.Job, copied bool) {
	r.id = j.ID
	r.name.SetText(filepath.Base(j.Path))
	state := stateLine(j, r.w.now(), copied)
	if res := resultLine(j); res != "" {
		state += "  ·  " + res
	}
	r.state.SetText(state)
	detail := detailLine(j)
	if to := destLabel(j.Dest); to != "" && to != r.w.dest.Selected {
		detail += " · to " + to
	}
	r.detail.SetText(detail)
	colour := theme.ColorNamePrimary
	switch j.State {
	case engine.Failed:
		r.state.Importance, colour = widget.DangerImportance, theme.ColorNameError
	case engine.Done:
		r.state.Importance, colour = widget.SuccessImportance, theme.ColorNameSuccess
	case engine.Waiting:
		r.state.Importance, colour = widget.WarningImportance, theme.ColorNameWarning
	case engine.Paused, engine.Cancelled, engine.Queued:
		r.state.Importance, colour = widget.MediumImportance, theme.ColorNamePlaceHolder
	default:
		r.state.Importance = widget.MediumImportance
	}
	r.bar.set(j.Progress(), colour)
	r.state.Refresh()
	if fix := fixLabel(j); fix != "" {
		r.fix.SetText(fix)
		r.fix.Show()
	} else {
		r.fix.Hide()
	}
	id := j.ID
	act := func(b *widget.Button, icon fyne.Resource, fn func(...string) error) {
		b.SetIcon(icon)
		b.OnTapped = func() { r.w.do(fn, id) }
		b.Show()
	}
	switch j.State {
	case engine.Queued, engine.Uploading, engine.Waiting:
		act(r.primary, theme.MediaPauseIcon(), r.w.eng.Pause)
		act(r.second, theme.CancelIcon(), r.w.eng.Cancel)
	case engine.Paused:
		act(r.primary, theme.MediaPlayIcon(), r.w.eng.Resume)
		act(r.second, theme.CancelIcon(), r.w.eng.Cancel)
	case engine.Failed, engine.Cancelled:
		act(r.primary, theme.ViewRefreshIcon(), r.w.eng.Retry)
		act(r.second, theme.DeleteIcon(), r.w.eng.Remove)
	case engine.Done:
		r.primary.SetIcon(theme.ContentCopyIcon())
		r.primary.OnTapped = func() { r.w.copyLink(id) }
		r.primary.Show()
		act(r.second, theme.DeleteIcon(), r.w.eng.Remove)
		if shareable(j) == "" {
			r.primary.Hide()
		}
	}
}

// fixLabel names the action an error calls for, "" when none.
func fixLabel(j engine.Job) string {
	if j.State != engine.Failed {
		return ""
	}
	switch j.ErrorCode {
	case engine.CodeAuth, engine.CodeNoDestination, engine.CodeNotTus, engine.CodeBadURL:
		if j.Dest.Name != "" {
			return "Check the destination"
		}
	case engine.CodeFileGone:
		return "Show folder"
	}
	return ""
}
