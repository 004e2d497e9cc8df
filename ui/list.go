package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// queueList is the virtualised list of jobs. Its rows draw the model's
// selection themselves (the list's own, single, is not used), and the
// keys act on the window's selection wherever the focus is.
type queueList struct {
	widget.List
	w       *Window
	compact bool
}

func newQueueList(w *Window, compact bool) *queueList {
	l := &queueList{w: w, compact: compact}
	l.Length = w.m.length
	l.CreateItem = func() fyne.CanvasObject { return newRow(w, compact) }
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		j, ok := w.m.row(i)
		if !ok {
			return
		}
		o.(*row).bind(j, w.m.wasCopied(j.ID), w.m.isSelected(j.ID))
	}
	l.ExtendBaseWidget(l)
	return l
}

func (l *queueList) TypedKey(e *fyne.KeyEvent) {
	if !l.w.rowKey(e) {
		l.List.TypedKey(e)
	}
}
