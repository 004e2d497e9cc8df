package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// searchEntry is the search box. The window's shortcuts (Ctrl+Q, Ctrl+O,
// Ctrl+F) work in it too: Fyne gives a focused entry every shortcut, and
// an entry drops those it does not know. Esc empties it, then leaves it.
type searchEntry struct {
	widget.Entry
	w *Window
}

func newSearchEntry(w *Window) *searchEntry {
	e := &searchEntry{w: w}
	e.ExtendBaseWidget(e)
	return e
}

func (e *searchEntry) TypedShortcut(s fyne.Shortcut) {
	if c, ok := s.(*desktop.CustomShortcut); ok && e.w.windowShortcut(c) {
		return
	}
	e.Entry.TypedShortcut(s)
}

func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		if e.Text != "" {
			e.SetText("")
			return
		}
		e.w.escape()
	case fyne.KeyDown: // from the search to the rows it found
		e.w.unfocus()
		e.w.moveSelection(1)
	default:
		e.Entry.TypedKey(k)
	}
}
