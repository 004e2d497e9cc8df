package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
)

// queueList is the virtualised list of jobs, with the row keys: Space
// pauses or resumes the selected job, Delete removes it.
type queueList struct {
	widget.List
	w *Window
}

func newQueueList(w *Window) *queueList {
	l := &queueList{w: w}
	l.Length = w.m.length
	l.CreateItem = func() fyne.CanvasObject { return newRow(w) }
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		j, ok := w.m.row(i)
		if !ok {
			return
		}
		o.(*row).bind(j, w.m.wasCopied(j.ID))
	}
	l.OnSelected = func(i widget.ListItemID) {
		if j, ok := w.m.row(i); ok {
			w.selected = j.ID
		}
	}
	l.OnUnselected = func(widget.ListItemID) { w.selected = "" }
	l.ExtendBaseWidget(l)
	return l
}

func (l *queueList) TypedKey(e *fyne.KeyEvent) {
	if !l.w.rowKey(e) {
		l.List.TypedKey(e)
	}
}

// rowKey handles the keys that act on the selected job.
func (w *Window) rowKey(e *fyne.KeyEvent) bool {
	j, ok := w.m.job(w.selected)
	if !ok {
		return false
	}
	switch e.Name {
	case fyne.KeySpace:
		switch j.State {
		case engine.Paused:
			w.do(w.eng.Resume, j.ID)
		case engine.Queued, engine.Uploading, engine.Waiting:
			w.do(w.eng.Pause, j.ID)
		case engine.Failed, engine.Cancelled:
			w.do(w.eng.Retry, j.ID)
		}
		return true
	case fyne.KeyDelete:
		w.do(w.eng.Remove, j.ID) // an unfinished one is cancelled first
		w.list.UnselectAll()
		return true
	}
	return false
}
