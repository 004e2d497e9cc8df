package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
)

// What the rows' clicks and keys do to the selection, and the commands
// that act on it. Cancelling or removing many rows asks once; one row
// goes at once, with Undo (undo.go).

// click selects a row as a plain click, Ctrl-click or Shift-click does.
func (w *Window) click(id string, mods fyne.KeyModifier) {
	switch {
	case mods&fyne.KeyModifierShift != 0:
		w.m.extend(id)
	case mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		w.m.toggle(id)
	default:
		w.m.selectOnly(id)
	}
	w.unfocus() // keys go to the rows now
	w.frame(false)
}

// toggleJobs is Space: each job paused resumes, each running one pauses,
// each failed or cancelled one is tried again.
func (w *Window) toggleJobs(ids []string) {
	var pause, resume, retry []string
	for _, id := range ids {
		j, ok := w.m.job(id)
		if !ok {
			continue
		}
		switch j.State {
		case engine.Paused:
			resume = append(resume, id)
		case engine.Queued, engine.Uploading, engine.Waiting:
			pause = append(pause, id)
		case engine.Failed, engine.Cancelled:
			retry = append(retry, id)
		}
	}
	w.doSome(w.eng.Pause, pause)
	w.doSome(w.eng.Resume, resume)
	w.doSome(w.eng.Retry, retry)
}

// actOn runs a command on those of ids whose state it fits.
func (w *Window) actOn(ids []string, fits func(engine.State) bool, fn func(...string) error) {
	w.doSome(fn, w.only(ids, fits))
}

// only are those of ids whose state fits.
func (w *Window) only(ids []string, fits func(engine.State) bool) []string {
	var some []string
	for _, id := range ids {
		if j, ok := w.m.job(id); ok && fits(j.State) {
			some = append(some, id)
		}
	}
	return some
}

func (w *Window) doSome(fn func(...string) error, ids []string) {
	if len(ids) > 0 {
		w.do(fn, ids...)
	}
}

func running(s engine.State) bool {
	return s == engine.Queued || s == engine.Uploading || s == engine.Waiting
}
func resumable(s engine.State) bool   { return s == engine.Paused }
func retryable(s engine.State) bool   { return s == engine.Failed || s == engine.Cancelled }
func cancellable(s engine.State) bool { return running(s) || s == engine.Paused }

// cancelJobs stops uploads for good (their server uploads are deleted).
func (w *Window) cancelJobs(ids []string) {
	some := w.only(ids, cancellable)
	switch {
	case len(some) == 0:
	case len(some) == 1:
		w.undoably(some[0], undoCancel)
	default:
		w.confirm(fmt.Sprintf("Cancel %d uploads?", len(some)),
			"They stop, and what the server has of them is deleted. This cannot be undone.",
			"Cancel uploads", "Keep them", func() { w.do(w.eng.Cancel, some...) })
	}
}

// removeJobs takes rows off the list; unfinished ones are cancelled
// first. A finished job's completion record stays: the file is still
// never sent twice.
func (w *Window) removeJobs(ids []string) {
	switch len(ids) {
	case 0:
	case 1:
		w.undoably(ids[0], undoRemove)
	default:
		unfinished := len(w.only(ids, cancellable))
		msg := "Finished uploads stay on the server; Ferry still knows they were sent."
		if unfinished > 0 {
			msg = fmt.Sprintf("%d of them %s not finished: %s cancelled, and what the server has of %s is deleted.",
				unfinished, isAre(unfinished), itThey(unfinished), itThem(unfinished))
		}
		w.confirm(fmt.Sprintf("Remove %d uploads from the list?", len(ids)), msg, "Remove", "Keep them",
			func() {
				w.do(w.eng.Remove, ids...)
				w.m.unselect()
			})
	}
	w.frame(false)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func itThey(n int) string {
	if n == 1 {
		return "it is"
	}
	return "they are"
}

// clearFinished takes the done rows off the list. Their completion
// records stay, so those files are still never sent twice.
func (w *Window) clearFinished() {
	ids := w.m.doneIDs()
	if len(ids) == 0 {
		w.say("Nothing finished to clear.")
		return
	}
	w.do(w.eng.Remove, ids...)
	w.say(fmt.Sprintf("Cleared %s from the list; Ferry still knows they were sent.", plural(len(ids), "finished upload")))
}

// confirm asks once before a command on many rows.
func (w *Window) confirm(title, msg, yes, no string, fn func()) {
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		if ok {
			fn()
		}
	}, w.win)
	d.SetConfirmText(yes)
	d.SetDismissText(no)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// moreMenu is the toolbar's ⋯: what the toolbar has no room for.
func (w *Window) moreMenu(at fyne.CanvasObject) {
	done := w.m.counts()[viewDone]
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Select all  (Ctrl+A)", w.selectAll),
		fyne.NewMenuItem(fmt.Sprintf("Clear finished (%d)", done), w.clearFinished),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Destinations…", func() { w.manageDestinations("") }),
		fyne.NewMenuItem("Settings…", w.openSettings),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Quit Ferry  (Ctrl+Q)", w.askQuit),
	}
	items[1].Disabled = done == 0
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(at)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), w.win.Canvas(), pos.Add(fyne.NewPos(0, at.Size().Height)))
}
