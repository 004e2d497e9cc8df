package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/ferry-app/ferry/engine"
)

// The habits of a transfer app: order, selection, keys, undo, clearing.

// files drops n files named name-0.mp4… and waits until each is in state.
func (h *harness) files(name string, n int, size int64, state string) []string {
	h.t.Helper()
	var uris []fyne.URI
	for i := range n {
		p, _ := h.file(fmt.Sprintf("%s-%d.mp4", name, i), size+int64(i))
		uris = append(uris, storage.NewFileURI(p))
	}
	h.w.Drop(uris)
	var names []string
	for i := range n {
		nm := fmt.Sprintf("%s-%d.mp4", name, i)
		h.rowOf(nm, stateIs(state))
		names = append(names, nm)
	}
	return names
}

// shownNames are the names of the rows shown, top down.
func (h *harness) shownNames() []string {
	h.w.frame(true)
	var out []string
	for i := range h.w.m.length() {
		j, _ := h.w.m.row(i)
		out = append(out, filepath.Base(j.Path))
	}
	return out
}

func (h *harness) rowNamed(name string) *row {
	h.t.Helper()
	for _, r := range h.rows() {
		if r.name.Text == name {
			return r
		}
	}
	h.t.Fatalf("no row %s", name)
	return nil
}

func ctrlClick(r *row) {
	r.MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierControl})
	test.Tap(r)
}

func shiftClick(r *row) {
	r.MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShift})
	test.Tap(r)
}

func TestNewestJobsAreOnTopAndTheOrderCanChange(t *testing.T) {
	h := newHarness(t)
	h.files("old", 1, 1000, "Done")
	h.files("new", 1, 3000, "Done")
	h.files("mid", 1, 2000, "Done")
	if got := strings.Join(h.shownNames(), " "); got != "mid-0.mp4 new-0.mp4 old-0.mp4" {
		t.Fatalf("newest first: %s", got)
	}
	h.w.sortSel.SetSelected("Name")
	if got := strings.Join(h.shownNames(), " "); got != "mid-0.mp4 new-0.mp4 old-0.mp4" {
		t.Fatalf("by name: %s", got)
	}
	h.w.sortSel.SetSelected("Size")
	if got := strings.Join(h.shownNames(), " "); got != "new-0.mp4 mid-0.mp4 old-0.mp4" {
		t.Fatalf("by size: %s", got)
	}
	if h.prefs().Sort != sortSize {
		t.Fatal("the order is not kept")
	}
	// A failure under "State" comes first.
	h.w.sortSel.SetSelected("State")
	gone, _ := h.file("gone.mp4", 2<<20)
	h.eng.SetRateLimit(64 << 10)
	h.w.Drop([]fyne.URI{storage.NewFileURI(gone)})
	h.rowOf("gone.mp4", stateIs("Uploading"))
	if got := h.shownNames(); got[0] != "gone.mp4" {
		t.Fatalf("by state, the running one first: %v", got)
	}
	h.eng.SetRateLimit(0)
	h.rowOf("gone.mp4", stateIs("Done"))
	if got := strings.Join(h.shownNames(), " "); got != "gone.mp4 mid-0.mp4 new-0.mp4 old-0.mp4" {
		t.Fatalf("by state, ties newest first: %s", got)
	}
}

func TestSelectionWithCtrlShiftAndCtrlAActsOnTheSelectedRows(t *testing.T) {
	h := newHarness(t)
	h.eng.SetRateLimit(64 << 10)
	names := h.files("sel", 4, 2<<20, "") // shown newest first: sel-3 … sel-0
	test.Tap(h.rowNamed(names[3]))
	shiftClick(h.rowNamed(names[1])) // sel-3, sel-2, sel-1
	ctrlClick(h.rowNamed(names[2]))  // minus sel-2
	if got := len(h.w.m.selection()); got != 2 || !h.w.selBar.content.Visible() || h.w.selBar.count.Text != "2 selected" {
		t.Fatalf("selected %d, bar %q", got, h.w.selBar.count.Text)
	}
	h.w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace}) // pauses the two
	h.rowOf(names[3], stateIs("Paused"))
	h.rowOf(names[1], stateIs("Paused"))
	for _, n := range []string{names[0], names[2]} {
		if j := h.jobNamed(n); j.State == engine.Paused {
			t.Fatalf("%s was paused, not selected", n)
		}
	}
	// Ctrl+A, and the Cancel of many asks once.
	h.w.win.Canvas().(interface {
		TypedShortcut(fyne.Shortcut)
	}).TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := len(h.w.m.selection()); got != 4 {
		t.Fatalf("Ctrl+A selected %d of 4", got)
	}
	h.w.cancelJobs(h.w.m.selection())
	if h.w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("cancelling 4 did not ask")
	}
	for _, n := range names {
		if h.jobNamed(n).State == engine.Cancelled {
			t.Fatal("cancelled before the answer")
		}
	}
	// Esc: the selection goes.
	h.w.win.Canvas().Overlays().Top().Hide()
	h.w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.w.m.selection()) != 0 || h.w.selBar.content.Visible() {
		t.Fatal("Esc kept the selection")
	}
}

func (h *harness) jobNamed(name string) engine.Job {
	h.t.Helper()
	for _, j := range h.eng.Snapshot().Jobs {
		if filepath.Base(j.Path) == name {
			return j
		}
	}
	h.t.Fatalf("no job %s", name)
	return engine.Job{}
}

func TestCancelOfOneRowCanBeUndoneWithoutLosingBytes(t *testing.T) {
	h := newHarness(t)
	h.eng.SetRateLimit(256 << 10)
	path, sha := h.file("undo.mp4", 3<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	r := h.rowOf("undo.mp4", func(r *row) bool { j := h.jobNamed("undo.mp4"); return j.Offset > 0 })
	test.Tap(r.second) // cancel
	h.rowOf("undo.mp4", stateIs("Cancelling"))
	if j := h.jobNamed("undo.mp4"); j.State != engine.Paused {
		t.Fatalf("while Undo is offered the upload is %s, want paused", j.State)
	}
	if !h.w.undoBar.content.Visible() || !strings.Contains(h.w.undoBar.text.Text, "Cancelled undo.mp4") {
		t.Fatalf("no Undo offered: %q", h.w.undoBar.text.Text)
	}
	h.w.undoLast()
	h.eng.SetRateLimit(0)
	h.rowOf("undo.mp4", stateIs("Done"))
	if ups := h.srv.Uploads(); len(ups) != 1 || !ups[0].Done || ups[0].SHA256 != sha {
		t.Fatalf("the server holds %+v, want one whole upload", ups)
	}
	if h.w.undoBar.content.Visible() {
		t.Fatal("Undo still offered")
	}
}

func TestClearFinishedKeepsTheCompletionRecords(t *testing.T) {
	h := newHarness(t)
	names := h.files("fin", 3, 1000, "Done")
	h.w.clearFinished()
	h.settle()
	if n := len(h.eng.Snapshot().Jobs); n != 0 {
		t.Fatalf("%d jobs left after Clear finished", n)
	}
	deadline := time.Now().Add(10 * time.Second) // the removals reach the window as events
	for len(h.rows()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if h.w.m.length() != 0 {
		t.Fatal("rows left")
	}
	// Added again: known as sent, nothing is uploaded.
	uploads := len(h.srv.Uploads())
	h.w.Drop([]fyne.URI{storage.NewFileURI(h.dir + "/" + names[0])})
	h.rowOf(names[0], stateIs("Already uploaded"))
	if len(h.srv.Uploads()) != uploads {
		t.Fatal("a cleared file was sent again")
	}
}

func TestShortcutsWorkInTheSearchBox(t *testing.T) {
	quits := 0
	h := newHarnessWith(t, func(o *Options) { o.Quit = func() { quits++ } })
	h.w.win.Canvas().Focus(h.w.search)
	ctrl := func(k fyne.KeyName) {
		h.w.search.TypedShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault})
	}
	ctrl(fyne.KeyQ)
	if quits != 1 {
		t.Fatal("Ctrl+Q in the search box did not quit")
	}
	test.Type(h.w.search, "abc")
	h.w.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.w.search.Text != "" {
		t.Fatal("Esc did not empty the search")
	}
	h.w.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.w.win.Canvas().Focused() != nil {
		t.Fatal("a second Esc did not leave the search box")
	}
	ctrl(fyne.KeyF)
	if h.w.win.Canvas().Focused() != h.w.search {
		t.Fatal("Ctrl+F")
	}
}

// Space on a row button that kept the focus acts on the selection, not
// on whatever job its recycled row shows now.
func TestSpaceOnAFocusedRowButtonActsOnTheSelection(t *testing.T) {
	h := newHarness(t)
	names := h.files("sp", 2, 1000, "Done")
	h.eng.SetRateLimit(64 << 10)
	path, _ := h.file("running.mp4", 2<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	run := h.rowOf("running.mp4", stateIs("Uploading"))
	test.Tap(run) // the selection: the running job
	r := h.rowNamed(names[0])
	h.w.win.Canvas().Focus(r.primary) // a done row's copy-link button keeps the focus
	r.primary.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if h.w.app.Clipboard().Content() != "" {
		t.Fatalf("Space on a focused button copied %q", h.w.app.Clipboard().Content())
	}
	h.rowOf("running.mp4", stateIs("Paused")) // it acted on the selection
	// A row re-bound to another job drops the focus of its buttons.
	r.bind(h.jobNamed(names[1]), false, false)
	if h.w.win.Canvas().Focused() == r.primary {
		t.Fatal("a recycled row kept the focus on its button")
	}
}

func TestSearchCountsEmptyViewAndTop(t *testing.T) {
	h := newHarness(t)
	h.longQueue(30)
	h.files("alpha", 2, 1000, "Done")
	h.files("beta", 1, 1000, "Done")
	h.w.list.ScrollToBottom()
	if h.w.list.GetScrollOffset() == 0 {
		t.Fatal("the list did not scroll")
	}
	test.Type(h.w.search, "a")
	if h.w.list.GetScrollOffset() != 0 {
		t.Fatal("the list did not return to the top when the search changed")
	}
	h.w.search.SetText("")
	test.Type(h.w.search, "alp")
	h.w.frame(true)
	if got := h.w.tabs[viewAll].Text; got != "All  2" {
		t.Fatalf("the All tab says %q while the search finds 2", got)
	}
	h.w.setView(viewFailed)
	h.w.frame(true)
	if !h.w.empty.content.Visible() || !strings.Contains(h.w.empty.text.Text, "No failed upload matches") || !h.w.empty.clear.Visible() {
		t.Fatalf("empty view: %q", h.w.empty.text.Text)
	}
	test.Tap(h.w.empty.clear)
	h.w.frame(true)
	if h.w.search.Text != "" || h.w.empty.text.Text != "No upload has failed." {
		t.Fatalf("after clearing: %q", h.w.empty.text.Text)
	}
}

func TestQuitQuestionSaysWhatItDoes(t *testing.T) {
	if got := quitQuestion(1, 0); !strings.HasPrefix(got, "1 file is still uploading.") || strings.Contains(got, "paused") {
		t.Fatal(got)
	}
	if got := quitQuestion(2, 3); !strings.HasPrefix(got, "2 files are still uploading.") || !strings.HasSuffix(got, "The 3 paused files stay paused.") {
		t.Fatal(got)
	}
	h := newHarnessWith(t, func(o *Options) { o.TrayHost = func() bool { return false } })
	h.eng.SetRateLimit(64 << 10)
	path, _ := h.file("q.mp4", 2<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	h.title("Ferry — 1 uploading")
	h.w.search.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault})
	markup := test.RenderToMarkup(h.w.win.Canvas())
	for _, want := range []string{"1 file is still uploading", "Keep uploading", "Quit"} {
		if !strings.Contains(markup, want) {
			t.Fatalf("the question lacks %q", want)
		}
	}
}

// A file paused a moment before Ctrl+Q is not uploading: the question
// counts only the files uploading or waiting to, and says the paused one
// stays paused; with every file paused, Ctrl+Q quits without asking.
func TestQuitQuestionCountsNoPausedFile(t *testing.T) {
	quits := 0
	h := newHarnessWith(t, func(o *Options) {
		o.TrayHost = func() bool { return false }
		o.Quit = func() { quits++ }
	})
	h.eng.SetRateLimit(64 << 10)
	a, _ := h.file("a.mp4", 2<<20)
	b, _ := h.file("b.mp4", 2<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(a), storage.NewFileURI(b)})
	h.rowOf("a.mp4", func(*row) bool { return h.jobNamed("a.mp4").Offset > 0 })
	ctrlQ := func() {
		h.w.search.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault})
	}
	// No frame between the pause and the question: the window has not
	// heard of the pause yet.
	if err := h.eng.Pause(h.jobNamed("a.mp4").ID); err != nil {
		t.Fatal(err)
	}
	ctrlQ()
	markup := test.RenderToMarkup(h.w.win.Canvas())
	if !strings.Contains(markup, "1 file is still uploading") || !strings.Contains(markup, "The paused file stays paused") || quits != 0 {
		t.Fatalf("the question counts the paused file, or none was asked (%d quits):\n%s", quits, markup)
	}
	test.Tap(h.dialogButton("Keep uploading"))
	if err := h.eng.Pause(h.jobNamed("b.mp4").ID); err != nil {
		t.Fatal(err)
	}
	ctrlQ()
	if quits != 1 {
		t.Fatalf("Ctrl+Q with every file paused: %d quits, want 1 without a question", quits)
	}
}
