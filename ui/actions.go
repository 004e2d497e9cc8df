package ui

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// do runs an engine command on a job and shows its refusal, if any.
// A command on a job whose cancel or removal can still be undone takes
// that back first (Resume on a row being cancelled means: keep it).
func (w *Window) do(fn func(...string) error, ids ...string) {
	w.withdrawUndo(ids...)
	w.send(fn, ids...)
}

// send runs an engine command off the UI goroutine (most wait for the
// disk) and shows its refusal, if any.
func (w *Window) send(fn func(...string) error, ids ...string) {
	w.background(func() error { return fn(ids...) }, func(err error) {
		if err != nil {
			w.say(err.Error())
		}
	})
}

// copyLink puts a done job's link on the clipboard.
func (w *Window) copyLink(id string) {
	j, ok := w.m.job(id)
	if !ok || shareable(j) == "" {
		return
	}
	w.app.Clipboard().SetContent(shareable(j))
	w.m.markCopied(id)
	w.frame(false)
}

func (w *Window) copyText(what, text string) {
	w.app.Clipboard().SetContent(text)
	w.say(what + " copied.")
}

// rowMenu shows everything a job offers in its state, under its ⋮.
func (w *Window) rowMenu(id string, at fyne.CanvasObject) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(at)
	w.rowMenuAt(id, pos.Add(fyne.NewPos(0, at.Size().Height)))
}

// rowMenuAt shows a row's menu at pos: the selection's when the row is
// one of several selected, else the job's own.
func (w *Window) rowMenuAt(id string, pos fyne.Position) {
	var items []*fyne.MenuItem
	item := func(label string, fn func()) { items = append(items, fyne.NewMenuItem(label, fn)) }
	if sel := w.m.selection(); len(sel) > 1 && w.m.isSelected(id) {
		item(fmt.Sprintf("Pause %d", len(sel)), func() { w.actOn(sel, running, w.eng.Pause) })
		item(fmt.Sprintf("Resume %d", len(sel)), func() { w.actOn(sel, resumable, w.eng.Resume) })
		item(fmt.Sprintf("Retry %d", len(sel)), func() { w.actOn(sel, retryable, w.eng.Retry) })
		item(fmt.Sprintf("Cancel %d…", len(sel)), func() { w.cancelJobs(sel) })
		item(fmt.Sprintf("Remove %d from the list…", len(sel)), func() { w.removeJobs(sel) })
	} else if menu := w.jobMenu(id); menu != nil {
		items = menu
	}
	if len(items) == 0 {
		return
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), w.win.Canvas(), pos)
}

// jobMenu is everything one job offers in its state.
func (w *Window) jobMenu(id string) []*fyne.MenuItem {
	j, ok := w.m.job(id)
	if !ok {
		return nil
	}
	var items []*fyne.MenuItem
	item := func(label string, fn func()) { items = append(items, fyne.NewMenuItem(label, fn)) }
	switch j.State {
	case engine.Queued, engine.Uploading, engine.Waiting:
		item("Pause", func() { w.do(w.eng.Pause, id) })
		item("Cancel", func() { w.cancelJobs([]string{id}) })
	case engine.Paused:
		item("Resume", func() { w.do(w.eng.Resume, id) })
		item("Cancel", func() { w.cancelJobs([]string{id}) })
	case engine.Failed, engine.Cancelled:
		item("Retry", func() { w.do(w.eng.Retry, id) })
	}
	if j.State == engine.Done {
		if l := shareable(j); l != "" {
			item("Copy link", func() { w.copyLink(id) })
		}
		if j.MediaID != "" {
			item("Copy media ID", func() { w.copyText("Media ID", j.MediaID) })
		}
	}
	if fix := fixLabel(j); fix != "" {
		item(fix+"…", func() { w.fixFor(id) })
	}
	item("Open containing folder", func() { w.openFolder(j.Path) })
	item("Remove from list", func() { w.removeJobs([]string{id}) })
	return items
}

// fixFor runs the action a job's error calls for.
func (w *Window) fixFor(id string) {
	j, ok := w.m.job(id)
	if !ok {
		return
	}
	switch j.ErrorCode {
	case fault.CodeFileGone:
		w.openFolder(j.Path)
	default:
		w.manageDestinations(j.Dest.Name)
	}
}

// openFolder shows the folder that holds path in the file manager.
func (w *Window) openFolder(path string) {
	u, err := fileURL(filepath.Dir(path))
	if err == nil {
		err = w.app.OpenURL(u)
	}
	if err != nil {
		why := "the system did not open it"
		if errors.Is(err, exec.ErrNotFound) {
			why = "this computer has no program that opens folders (xdg-open)"
		}
		w.say(fmt.Sprintf("Cannot show %s: %s. The file is there.", tilde(filepath.Dir(path)), why))
	}
}

// closeRequested: the window's close button. With a tray, the window
// hides and uploads go on; without one nothing is left running unseen.
func (w *Window) closeRequested() {
	if w.prefs.CloseToTray && w.tray.available() {
		w.win.Hide()
		return
	}
	w.askQuit()
}

// askQuit quits, asking first while files upload (Ctrl+Q, the ⋯ menu,
// closing without a tray). The tray's Quit and SIGTERM do not ask.
func (w *Window) askQuit() {
	// The engine's counts, not the model's: those lag a frame behind, and
	// a file paused a moment ago is not uploading.
	t := w.eng.Totals()
	going := t.Count(engine.Queued) + t.Count(engine.Uploading) + t.Count(engine.Waiting)
	paused := t.Count(engine.Paused)
	if u := w.undo; u != nil {
		// Paused while its cancel or removal can be undone: that happens
		// on the way out, so it does not stay paused.
		if j, ok := w.eng.Job(u.id); ok && j.State == engine.Paused {
			paused--
		}
	}
	if going == 0 {
		w.quit()
		return
	}
	w.quitAsked = true
	d := dialog.NewConfirm("Quit Ferry?", quitQuestion(going, paused), func(ok bool) {
		w.quitAsked = false
		if ok {
			w.quit()
		}
	}, w.win)
	d.SetConfirmText("Quit")
	d.SetDismissText("Keep uploading")
	d.Show()
}

// quit ends Ferry; the app pauses the engine cleanly on its way out.
func (w *Window) quit() {
	if w.opts.Quit != nil {
		w.opts.Quit()
		return
	}
	w.app.Quit()
}

func (w *Window) showError(err error) { dialog.ShowError(err, w.win) }

// say shows a line under the footer; it goes after a while.
func (w *Window) say(text string) {
	w.status.SetText(text)
	w.status.Hidden = text == "" // an empty line takes no room from the list
	w.saidAt = w.now()
}

// statusLife is how long say's line stays.
const statusLife = 15 * time.Second

// quitQuestion is what quitting means for the files uploading or waiting
// to (going), and for the paused ones, which stay as they are.
func quitQuestion(going, paused int) string {
	q := fmt.Sprintf("%d files are still uploading. They stop now and go on from where they stopped when you start Ferry again.", going)
	if going == 1 {
		q = "1 file is still uploading. It stops now and goes on from where it stopped when you start Ferry again."
	}
	switch {
	case paused == 1:
		q += " The paused file stays paused."
	case paused > 1:
		q += fmt.Sprintf(" The %d paused files stay paused.", paused)
	}
	return q
}
