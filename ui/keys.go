package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcuts: Ctrl+O add files, Ctrl+F search, Ctrl+Q quit; Space and
// Delete act on the selected job (also when the list has no focus).
func (w *Window) shortcuts() {
	c := w.win.Canvas()
	ctrl := func(k fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	ctrl(fyne.KeyO, w.addFilesDialog)
	ctrl(fyne.KeyF, func() { c.Focus(w.search) })
	ctrl(fyne.KeyQ, w.quit)
	c.SetOnTypedKey(func(e *fyne.KeyEvent) { w.rowKey(e) })
}
