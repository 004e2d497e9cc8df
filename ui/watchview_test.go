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

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/watch"
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
	dir := filepath.Join(t.TempDir(), "camera")
	os.MkdirAll(dir, 0o755)

	test.Tap(h.w.watchB)
	if !h.w.inWatch || h.w.list.Visible() {
		t.Fatal("the Watch folders tab did not show its view")
	}
	h.w.Drop([]fyne.URI{storage.NewFileURI(dir)})
	if len(h.eng.Snapshot().Jobs) != 0 {
		t.Fatal("a folder dropped on the Watch folders view was queued instead of watched")
	}
	var rows []*watchRow
	waitUntil(t, "the dropped folder has a row", func() bool { rows = h.watchRows(); return len(rows) == 1 })
	if len(rows) != 1 || rows[0].dir != dir || !strings.Contains(rows[0].settings.Text, "To tusd") {
		t.Fatalf("watch rows after the drop: %d", len(rows))
	}
	if !strings.Contains(h.w.watchB.Text, "1") {
		t.Fatalf("the tab says %q", h.w.watchB.Text)
	}
	// A short settle time, as the folder's form would save it.
	f, _ := h.w.watch.saved(dir)
	f.Settle = 300 * time.Millisecond
	if _, err := wt.Add(f); err != nil {
		t.Fatal(err)
	}
	_, sha := tustest.RandomFile(t, dir, "take1.mov", 300<<10, 7)
	tustest.RandomFile(t, dir, ".hidden.mov", 10, 8)

	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		h.w.frame(true)
		if rows = h.watchRows(); len(rows) == 1 {
			last = rows[0].count.Text
			if strings.Contains(last, "1 uploaded") {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(last, "1 uploaded") {
		t.Fatalf("the folder's row says %q, want 1 uploaded", last)
	}
	up, ok := h.srv.UploadByName("take1.mov")
	if !ok || !up.Done || up.SHA256 != sha || h.srv.Created() != 1 {
		t.Fatalf("server: %+v, %d created; want take1.mov whole, once", up, h.srv.Created())
	}

	// Pause from the row, then stop watching it.
	test.Tap(h.watchRows()[0].pause)
	waitUntil(t, "the row says Paused", func() bool {
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

// waitUntil polls cond (each call may run a frame) for up to 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTheWatchFormSaysWhatIsWrong(t *testing.T) {
	f := engine.WatchFolder{Dir: "/videos"}
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
		got.After != engine.AfterMove || got.MoveTo != engine.DefaultMoveTo {
		t.Fatalf("read %+v", got)
	}
}
