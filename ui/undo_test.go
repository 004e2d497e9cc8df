package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/ferry-app/ferry/engine"
)

// slowJob starts name uploading slowly and returns its row once bytes
// have gone.
func (h *harness) slowJob(name string) *row {
	h.t.Helper()
	h.eng.SetRateLimit(128 << 10)
	path, _ := h.file(name, 3<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	return h.rowOf(name, func(*row) bool { return h.jobNamed(name).Offset > 0 })
}

// lapse lets the Undo offer run out.
func (h *harness) lapse() {
	h.w.nowFunc = func() time.Time { return time.Now().Add(undoLife) }
	h.w.frame(true)
	h.w.nowFunc = time.Now
}

// A second cancel of the same row (a double click) changes nothing: Undo
// still brings the upload back whole.
func TestCancelTwiceStillUndoes(t *testing.T) {
	h := newHarness(t)
	r := h.slowJob("twice.mp4")
	test.Tap(r.second)
	r = h.rowOf("twice.mp4", stateIs("Cancelling"))
	test.Tap(r.second)
	if j := h.jobNamed("twice.mp4"); j.State != engine.Paused {
		t.Fatalf("a second cancel sent it: %s", j.State)
	}
	h.w.undoLast()
	h.eng.SetRateLimit(0)
	h.rowOf("twice.mp4", stateIs("Done"))
	if ups := h.srv.Uploads(); len(ups) != 1 || !ups[0].Done {
		t.Fatalf("uploads %+v", ups)
	}
}

// Resume on a row being cancelled keeps it: the cancel is not sent later.
func TestResumeTakesTheCancelBack(t *testing.T) {
	h := newHarness(t)
	r := h.slowJob("keep.mp4")
	test.Tap(r.second) // cancel
	r = h.rowOf("keep.mp4", stateIs("Cancelling"))
	test.Tap(r.primary) // resume
	if h.w.undo != nil || h.w.undoBar.content.Visible() {
		t.Fatal("Undo still offered after Resume")
	}
	h.lapse()
	if j := h.jobNamed("keep.mp4"); j.State == engine.Cancelled {
		t.Fatal("the cancel was sent after Resume")
	}
	h.rowOf("keep.mp4", stateIs("Uploading"))
}

// A removal then the same file dropped again: the job is back, shown,
// and not removed when the Undo lapses.
func TestAddingAgainTakesTheRemovalBack(t *testing.T) {
	h := newHarness(t)
	r := h.slowJob("again.mp4")
	test.Tap(r) // select it
	h.w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(h.rows()) != 0 {
		t.Fatal("the removed row shows")
	}
	h.w.Drop([]fyne.URI{storage.NewFileURI(h.dir + "/again.mp4")})
	h.rowOf("again.mp4", stateIs(""))
	h.lapse()
	if len(h.eng.Snapshot().Jobs) != 1 {
		t.Fatal("the file added again was removed")
	}
}

// A job gone meanwhile (ferry remove from a terminal): the lapse says
// nothing about an unknown id.
func TestUndoOfAJobGoneMeanwhileIsQuiet(t *testing.T) {
	h := newHarness(t)
	r := h.slowJob("gone.mp4")
	test.Tap(r.second)
	h.rowOf("gone.mp4", stateIs("Cancelling"))
	if err := h.eng.Remove(h.jobNamed("gone.mp4").ID); err != nil {
		t.Fatal(err)
	}
	h.lapse()
	if h.w.undo != nil || strings.Contains(h.w.status.Text, "No job") {
		t.Fatalf("status %q", h.w.status.Text)
	}
}

// Resume all sends a pending cancel first: it does not undo it.
func TestResumeAllDoesNotUndoACancel(t *testing.T) {
	h := newHarness(t)
	r := h.slowJob("all.mp4")
	test.Tap(r.second)
	h.rowOf("all.mp4", stateIs("Cancelling"))
	h.w.resumeAll()
	h.rowOf("all.mp4", stateIs("Cancelled"))
}

// A cancel made while the add is still being reported (its result not
// yet drawn) stays: adding a file takes back only a cancel or removal
// that was pending when it was added.
func TestCancelDuringTheAddStays(t *testing.T) {
	h := newHarness(t)
	h.eng.SetRateLimit(128 << 10)
	path, _ := h.file("late.mp4", 3<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	h.w.busy.Wait() // added; the window says so in its next frame
	id := h.jobNamed("late.mp4").ID
	deadline := time.Now().Add(10 * time.Second)
	for _, ok := h.w.m.job(id); !ok; _, ok = h.w.m.job(id) { // the row knows it
		if time.Now().After(deadline) {
			t.Fatal("the job never reached the window")
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.w.cancelJobs([]string{id})
	h.w.frame(true) // the add's result
	if !h.w.cancelling(id) {
		t.Fatal("the add's result took back a cancel made after it")
	}
	h.rowOf("late.mp4", stateIs("Cancelling"))
}
