package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/watch"
	"github.com/ferry-app/ferry/watch/settings"
)

// watchRows are the watch folder rows on screen, after a frame.
func (h *harness) watchRows() []*watchRow {
	h.w.frame(true)
	var rows []*watchRow
	for _, o := range test.LaidOutObjects(h.w.win.Content()) {
		if r, ok := o.(*watchRow); ok && r.Visible() && r.dir != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

func TestAFolderDroppedOnTheWatchViewIsWatchedAndItsNewVideosGoUp(t *testing.T) {
	var wt *watch.Watcher
	h := newHarnessWith(t, func(o *Options) {
		wt = watch.New(o.Engine, watch.Options{Presence: 100 * time.Millisecond})
		o.Watcher = wt
	})
	t.Cleanup(wt.Close) // before the engine closes
	dir := filepath.Join(wine.TempDir(t), "camera")
	os.MkdirAll(dir, 0o755)

	test.Tap(h.w.watchB)
	if !h.w.inWatch || h.w.list.Visible() {
		t.Fatal("the Watch folders tab did not show its view")
	}
	h.w.Drop([]fyne.URI{storage.NewFileURI(dir)})
	if len(h.eng.Snapshot().Jobs) != 0 {
		t.Fatal("a folder dropped on the Watch folders view was queued instead of watched")
	}
	// The form asks how; the toolbar's destination is filled in.
	fm := h.w.watch.form
	if fm == nil || fm.f.Dir != dir || fm.dest.Selected != "tusd" {
		t.Fatalf("the dropped folder's form: %+v", fm)
	}
	fm.settle.SetText("300ms") // short, for the test
	test.Tap(h.dialogButton("Save"))
	var rows []*watchRow
	h.pump("the dropped folder has a row", func() bool { rows = h.watchRows(); return len(rows) == 1 && h.w.watch.form == nil })
	if rows[0].dir != dir || !strings.Contains(rows[0].settings.Text, "To tusd") {
		t.Fatalf("the row: %s %q", rows[0].dir, rows[0].settings.Text)
	}
	if !strings.Contains(h.w.watchB.Text, "1") {
		t.Fatalf("the tab says %q", h.w.watchB.Text)
	}
	_, sha := tustest.RandomFile(t, dir, "take1.mov", 300<<10, 7)
	tustest.RandomFile(t, dir, ".hidden.mov", 10, 8)

	h.pump("the row says 1 uploaded", func() bool {
		rows = h.watchRows()
		return len(rows) == 1 && strings.Contains(rows[0].count.Text, "1 uploaded")
	})
	up, ok := h.srv.UploadByName("take1.mov")
	if !ok || !up.Done || up.SHA256 != sha || h.srv.Created() != 1 {
		t.Fatalf("server: %+v, %d created; want take1.mov whole, once", up, h.srv.Created())
	}

	// Pause from the row, then stop watching it.
	test.Tap(h.watchRows()[0].pause)
	h.pump("the row says Paused", func() bool {
		r := h.watchRows()
		return len(r) == 1 && strings.HasPrefix(r[0].state.Text, "Paused")
	})
	if st := wt.Status(); len(st) != 1 || st[0].State != watch.Paused {
		t.Fatalf("after pause: %+v", st)
	}
	if err := wt.Remove(dir); err != nil {
		t.Fatal(err)
	}
	h.w.watch.refresh()
	if n := len(h.watchRows()); n != 0 {
		t.Fatalf("%d rows after removing the folder", n)
	}
	test.Tap(h.w.tabs[viewAll])
	if h.w.inWatch || !h.w.list.Visible() {
		t.Fatal("the All tab did not bring the queue back")
	}
}

// pump runs a frame each time the window's goroutines ask for one (work
// posted, an engine or watcher event), until cond holds: it waits on
// those wake-ups, never on the clock. Tests run no frame loop, so nothing
// else takes them.
func (h *harness) pump(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		h.w.frame(true)
		if cond() {
			return
		}
		select {
		case <-h.w.kick:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting: %s", what)
		}
	}
}

// dialogButton is the button labelled text in the dialog on top.
func (h *harness) dialogButton(text string) *widget.Button {
	h.t.Helper()
	top := h.w.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no dialog is open to tap %s in", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	h.t.Fatalf("the dialog has no %s button", text)
	return nil
}

// dialogSays: the dialog on top shows a label with text.
func (h *harness) dialogSays(text string) bool {
	top := h.w.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == text && l.Visible() {
			return true
		}
	}
	return false
}

func TestTheWatchFormSaysWhatIsWrong(t *testing.T) {
	videos, _ := filepath.Abs(filepath.FromSlash("/videos")) // C:\videos on Windows
	f := settings.WatchFolder{Dir: videos}
	if _, err := readWatchForm(f, "", "", "", afterLabels[0], ""); err == nil {
		t.Fatal("no destination was taken")
	}
	if _, err := readWatchForm(f, "studio", "", "soon", afterLabels[0], ""); err == nil || !strings.Contains(err.Error(), "settle time") {
		t.Fatalf("settle time soon: %v", err)
	}
	if _, err := readWatchForm(f, "studio", "", "", afterLabels[1], "../out"); err == nil {
		t.Fatal("a sub-folder outside the folder was taken")
	}
	got, err := readWatchForm(f, "studio", ".MP4, mov", "2s", afterLabels[1], "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Dest.Name != "studio" || strings.Join(got.Exts, ",") != "mp4,mov" || got.Settle != 2*time.Second ||
		got.After != settings.AfterMove || got.MoveTo != settings.DefaultMoveTo {
		t.Fatalf("read %+v", got)
	}
}
