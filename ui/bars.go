package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// selectionBar stands over the list while rows are selected: how many,
// and what can be done to them all at once.
type selectionBar struct {
	w       *Window
	count   *widget.Label
	content *fyne.Container
}

func newSelectionBar(w *Window) *selectionBar {
	b := &selectionBar{w: w, count: widget.NewLabel("")}
	b.count.TextStyle.Bold = true
	act := func(label string, icon fyne.Resource, fn func([]string)) *widget.Button {
		btn := widget.NewButtonWithIcon(label, icon, func() { fn(w.m.selection()) })
		btn.Importance = widget.LowImportance
		return btn
	}
	none := widget.NewButtonWithIcon("", theme.CancelIcon(), w.escape)
	none.Importance = widget.LowImportance
	b.content = container.NewHBox(b.count,
		act("Pause", theme.MediaPauseIcon(), func(ids []string) { w.actOn(ids, running, w.eng.Pause) }),
		act("Resume", theme.MediaPlayIcon(), func(ids []string) { w.actOn(ids, resumable, w.eng.Resume) }),
		act("Retry", theme.ViewRefreshIcon(), func(ids []string) { w.actOn(ids, retryable, w.eng.Retry) }),
		act("Cancel", theme.CancelIcon(), w.cancelJobs),
		act("Remove", theme.DeleteIcon(), w.removeJobs),
		layout.NewSpacer(), none)
	b.content.Hide()
	return b
}

// update shows n selected rows (none: the bar goes).
func (b *selectionBar) update(n int) {
	if n == 0 {
		if b.content.Visible() {
			b.content.Hide()
		}
		return
	}
	b.count.SetText(fmt.Sprintf("%d selected", n))
	if !b.content.Visible() {
		b.content.Show()
	}
}

// undoBar offers to take back the last cancel or removal of one row.
type undoBar struct {
	text    *widget.Label
	content *fyne.Container
}

func newUndoBar(w *Window) *undoBar {
	b := &undoBar{text: widget.NewLabel("")}
	b.text.Truncation = fyne.TextTruncateEllipsis
	undo := widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), w.undoLast)
	b.content = container.NewBorder(nil, nil, nil, undo, b.text)
	b.content.Hide()
	return b
}

func (b *undoBar) offer(text string) {
	b.text.SetText(text)
	b.content.Hidden = text == ""
	b.content.Refresh()
}

// emptyView says why the list is empty and what to do.
type emptyView struct {
	w       *Window
	text    *widget.Label
	clear   *widget.Button // clear the search
	content *fyne.Container
}

func newEmptyView(w *Window) *emptyView {
	e := &emptyView{w: w, text: widget.NewLabel("")}
	e.text.Alignment = fyne.TextAlignCenter
	e.text.Wrapping = fyne.TextWrapWord
	e.clear = widget.NewButton("Clear the search", func() { w.search.SetText("") })
	e.content = container.NewCenter(container.NewVBox(
		container.NewCenter(widget.NewIcon(theme.UploadIcon())),
		container.NewGridWrap(fyne.NewSize(420, 60), e.text), container.NewCenter(e.clear)))
	return e
}

// update shows the sentence for the view, or hides it when rows show.
func (e *emptyView) update(shown int, counts [numViews]int) {
	w := e.w
	if shown > 0 || w.inWatch {
		e.content.Hide()
		return
	}
	q := w.m.searching()
	e.clear.Hidden = q == ""
	switch {
	case q != "":
		e.text.SetText(fmt.Sprintf("No %s matches “%s”.", viewNoun[w.current], w.search.Text))
	case w.current == viewAll:
		e.text.SetText("Drop videos or folders here, or use Add files… (Ctrl+O).")
	case w.current == viewActive:
		e.text.SetText("Nothing is uploading or waiting. Files you add show here while they go.")
	case w.current == viewDone:
		e.text.SetText("Nothing has finished yet. Finished uploads stay here with their links.")
	default:
		e.text.SetText("No upload has failed.")
	}
	e.content.Show()
	e.content.Refresh()
}

var viewNoun = [numViews]string{"upload", "active upload", "finished upload", "failed upload"}
