package ui

import (
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The window's keys. Ctrl+O add files, Ctrl+F search, Ctrl+Q quit and
// Esc work wherever the focus is (the search box passes them on); Ctrl+A
// selects every row shown (in the search box: its text). Space pauses or
// resumes the selected rows (retries failed ones), Delete removes them,
// the arrows move the selection: on the rows only, never on a button
// that kept the focus.

var windowKeys = []fyne.KeyName{fyne.KeyO, fyne.KeyF, fyne.KeyQ}

func (w *Window) shortcuts() {
	c := w.win.Canvas()
	for _, k := range windowKeys {
		sc := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		c.AddShortcut(sc, func(s fyne.Shortcut) { w.windowShortcut(s.(*desktop.CustomShortcut)) })
	}
	// Fyne turns Ctrl+A into its own select-all shortcut.
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { w.selectAll() })
	c.SetOnTypedKey(func(e *fyne.KeyEvent) { w.rowKey(e) })
}

// windowShortcut runs one of the window's Ctrl shortcuts; false: not one.
func (w *Window) windowShortcut(s *desktop.CustomShortcut) bool {
	if s.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch s.KeyName {
	case fyne.KeyO:
		if !w.dialogUp() {
			w.addFilesDialog()
		}
	case fyne.KeyF:
		if !w.dialogUp() {
			w.focusSearch()
		}
	case fyne.KeyQ:
		if !w.quitAsked {
			w.askQuit()
		}
	default:
		return false
	}
	return true
}

func (w *Window) focusSearch() {
	if w.inWatch {
		w.setView(w.current)
	}
	w.win.Canvas().Focus(w.search)
}

func (w *Window) unfocus() { w.win.Canvas().Unfocus() }

// escape: out of the search box, then the selection goes.
func (w *Window) escape() {
	w.unfocus()
	w.m.unselect()
	w.frame(false)
}

func (w *Window) selectAll() {
	if w.inWatch || w.dialogUp() {
		return
	}
	w.m.selectAll()
	w.frame(false)
}

// moveSelection selects the next (+1) or previous (-1) row and shows it.
func (w *Window) moveSelection(step int) {
	if i := w.m.moveSelection(step); i >= 0 {
		w.list.ScrollTo(i)
	}
	w.frame(false)
}

// dialogUp: a dialog is open; the rows behind it take no keys.
func (w *Window) dialogUp() bool { return w.win.Canvas().Overlays().Top() != nil }

// rowKey handles the keys that act on the selected rows.
func (w *Window) rowKey(e *fyne.KeyEvent) bool {
	if w.inWatch || w.dialogUp() {
		return false
	}
	switch e.Name {
	case fyne.KeyEscape:
		w.escape()
		return true
	case fyne.KeyUp:
		w.moveSelection(-1)
		return true
	case fyne.KeyDown:
		w.moveSelection(1)
		return true
	case fyne.KeySpace:
		w.toggleJobs(w.m.selection())
		return true
	case fyne.KeyDelete:
		w.removeJobs(w.m.selection())
		return true
	case fyne.KeyBackspace: // a Mac keyboard's delete key
		if runtime.GOOS != "darwin" {
			return false
		}
		w.removeJobs(w.m.selection())
		return true
	}
	return false
}
