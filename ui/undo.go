package ui

import (
	"path/filepath"
	"slices"
	"time"
)

// Undo: cancelling or removing one row waits undoLife before the engine
// is told, so Undo loses nothing: meanwhile the upload is only paused
// (and a removed row hidden). Anything else done to that job first (a
// Resume, a Retry, adding its file again) takes the cancel or removal
// back; Pause all/Resume all and quitting send it at once. Should Ferry
// stop hard within those seconds, the job comes back paused: nothing
// is lost, and the user cancels it again.

// undoLife is how long a single cancel or removal can be undone.
const undoLife = 6 * time.Second

type undoKind int

const (
	undoCancel undoKind = iota
	undoRemove
)

// undoable is the one cancel or removal that can still be undone.
type undoable struct {
	id     string
	kind   undoKind
	paused bool // it was running and Ferry paused it: Undo resumes it
	until  time.Time
}

// undoably cancels or removes job id after undoLife, offering Undo.
func (w *Window) undoably(id string, kind undoKind) {
	j, ok := w.eng.Job(id) // the engine's state now: the model may lag
	if !ok {
		return
	}
	u := &undoable{id: id, kind: kind}
	if w.undo != nil && w.undo.id == id {
		if kind == undoCancel || w.undo.kind == undoRemove {
			return // asked twice: once is enough
		}
		u.paused = w.undo.paused // cancelling, now removing: one undoable
		w.undo = nil
	}
	w.commitUndo()        // one at a time: an older one happens now
	if running(j.State) { // it stops now; Undo lets it go on from where it was
		u.paused = w.eng.Pause(id) == nil
	}
	what := "Cancelled " + filepath.Base(j.Path) + "."
	if kind == undoRemove {
		what = "Removed " + filepath.Base(j.Path) + " from the list."
		w.m.hide(id, true)
	}
	u.until = w.now().Add(undoLife)
	w.undo = u
	w.undoBar.offer(what)
	w.m.touch(id)
	w.ticking.Store(true)
	w.wake()
	w.frame(false)
}

// undoLast takes the last cancel or removal back.
func (w *Window) undoLast() {
	u := w.takeUndo()
	if u == nil {
		return
	}
	if u.paused {
		w.send(w.eng.Resume, u.id)
	}
	w.frame(false)
}

// withdrawUndo takes back a cancel or removal of any of ids, without
// resuming: the caller's command says what happens to the job now.
func (w *Window) withdrawUndo(ids ...string) {
	if w.undo != nil && slices.Contains(ids, w.undo.id) {
		w.takeUndo()
	}
}

// addedAgain takes back u, the cancel or removal pending when the user
// added files, if it is still pending and of job id: the file was added
// again. One the user made after adding (a cancel while the add was still
// under way) is their newer word, and stays.
func (w *Window) addedAgain(u *undoable, id string) {
	if u != nil && w.undo == u && u.id == id {
		w.takeUndo()
	}
}

// takeUndo ends the offer of Undo and puts the row back as it was.
func (w *Window) takeUndo() *undoable {
	u := w.undo
	if u == nil {
		return nil
	}
	w.undo = nil
	w.undoBar.offer("")
	w.m.hide(u.id, false)
	w.m.touch(u.id)
	return u
}

// commitUndo sends the pending cancel or removal now.
func (w *Window) commitUndo() {
	u := w.undo
	if u == nil {
		return
	}
	w.undo = nil
	w.undoBar.offer("")
	w.m.touch(u.id)
	if _, ok := w.eng.Job(u.id); !ok {
		return // gone meanwhile (ferry remove, another window): nothing to do
	}
	if u.kind == undoRemove {
		w.send(w.eng.Remove, u.id)
	} else {
		w.send(w.eng.Cancel, u.id)
	}
}

// expireUndo sends a cancel or removal once Undo is no longer offered.
func (w *Window) expireUndo() {
	if w.undo != nil && !w.now().Before(w.undo.until) {
		w.commitUndo()
	}
}

// cancelling says whether id's cancel waits for its Undo to lapse.
func (w *Window) cancelling(id string) bool {
	return w.undo != nil && w.undo.id == id && w.undo.kind == undoCancel
}

// pauseAll and resumeAll are the toolbar's and the tray's: a pending
// cancel or removal happens first, so Resume all does not undo it.
func (w *Window) pauseAll() {
	w.commitUndo()
	w.eng.PauseAll()
}

func (w *Window) resumeAll() {
	w.commitUndo()
	w.eng.ResumeAll()
}
