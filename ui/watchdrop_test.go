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

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/keychain"
	"github.com/ferry-app/ferry/watch"
	"github.com/ferry-app/ferry/watch/settings"
)

// watchHarness is a window with a Watch folders view over a real engine
// and watcher.
func watchHarness(t *testing.T) (*harness, *watch.Watcher) {
	t.Helper()
	var wt *watch.Watcher
	h := newHarnessWith(t, func(o *Options) {
		wt = watch.New(o.Engine, watch.Options{Presence: 100 * time.Millisecond})
		o.Watcher = wt
	})
	t.Cleanup(wt.Close) // before the engine closes
	return h, wt
}

// rowOfDir is the row of a watch folder on screen, nil if none.
func (h *harness) rowOfDir(dir string) *watchRow {
	for _, r := range h.watchRows() {
		if r.dir == dir {
			return r
		}
	}
	return nil
}

// watchRowOf is the row of a watch folder on screen; the test fails
// without one.
func (h *harness) watchRowOf(dir string) *watchRow {
	h.t.Helper()
	r := h.rowOfDir(dir)
	if r == nil {
		h.t.Fatalf("no row for %s", dir)
	}
	return r
}

// awaitWatch waits, event by event, for a watcher event that ok accepts.
func awaitWatch(t *testing.T, sub *watch.Subscription, what string, ok func(watch.Event) bool) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case ev := <-sub.C:
			if ok(ev) {
				return
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting: %s", what)
		}
	}
}

func isEvent(k watch.Kind, dir string) func(watch.Event) bool {
	return func(ev watch.Event) bool { return ev.Kind == k && ev.Dir == dir }
}

// Folders dropped on the Watch folders view open the watch form, one
// after the other, each filled in with its folder and the toolbar's
// destination; nothing is watched until Save, Cancel adds nothing, bad
// input keeps the form open, and a folder watched already opens with its
// settings.
func TestFoldersDroppedOnTheWatchViewOpenTheFormOneAfterAnother(t *testing.T) {
	h, wt := watchHarness(t)
	root := wine.TempDir(t)
	a, b := filepath.Join(root, "card-a"), filepath.Join(root, "card-b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	test.Tap(h.w.watchB)

	h.w.Drop([]fyne.URI{storage.NewFileURI(a), storage.NewFileURI(b)})
	fm := h.w.watch.form
	if fm == nil || fm.f.Dir != a || !fm.adding || fm.dest.Selected != "tusd" {
		t.Fatalf("the first dropped folder's form: %+v", fm)
	}
	if !h.dialogSays("Watch a folder (1 of 2)") || !h.dialogSays(tilde(a)) {
		t.Fatal("the form does not say which folder, and that another follows")
	}
	if len(wt.Status()) != 0 || len(h.eng.Snapshot().Jobs) != 0 {
		t.Fatal("a dropped folder was watched (or queued) before its form was saved")
	}

	// Cancel: a is not watched; b's form opens.
	test.Tap(h.dialogButton("Cancel"))
	fm = h.w.watch.form
	if fm == nil || fm.f.Dir != b || !h.dialogSays("Watch a folder (2 of 2)") || !h.dialogSays(tilde(b)) {
		t.Fatalf("after Cancel, the next form: %+v", fm)
	}
	if len(wt.Status()) != 0 {
		t.Fatalf("Cancel watched %+v", wt.Status())
	}
	if saved, _ := h.eng.WatchFolders(); len(saved) != 0 {
		t.Fatalf("Cancel saved %+v", saved)
	}

	// A bad settle time is a sentence at its field (the form's own
	// validation shows it there), and Save waits for it to be fixed.
	test.Type(fm.settle, "soon")
	if err := fm.settle.Validate(); err == nil || !strings.Contains(err.Error(), `"soon" is not a settle time`) ||
		!h.dialogButton("Save").Disabled() {
		t.Fatalf("bad input: %v, Save disabled %v", err, h.dialogButton("Save").Disabled())
	}
	test.Tap(h.dialogButton("Save"))
	if h.w.watch.form != fm || !h.dialogSays(tilde(b)) {
		t.Fatal("the form closed on bad input")
	}
	fm.settle.SetText("")
	test.Type(fm.settle, "1m")
	fm.after.SetSelected(afterLabels[1])
	test.Tap(h.dialogButton("Save"))
	h.pump("b is watched and its form closed", func() bool { return h.w.watch.form == nil && h.rowOfDir(b) != nil })
	if h.w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is still open after the last form was saved")
	}
	saved, _ := h.eng.WatchFolders()
	if len(saved) != 1 || saved[0].Dir != b || saved[0].Dest.Name != "tusd" || saved[0].Settle != time.Minute ||
		saved[0].After != settings.AfterMove || saved[0].MoveTo != settings.DefaultMoveTo {
		t.Fatalf("saved: %+v", saved)
	}
	if h.rowOfDir(a) != nil {
		t.Fatal("the cancelled folder has a row")
	}
	if !strings.HasPrefix(h.w.status.Text, "Watching ") {
		t.Fatalf("the status line says %q", h.w.status.Text)
	}

	// b again: its form, with its settings; Cancel changes nothing.
	h.w.Drop([]fyne.URI{storage.NewFileURI(b)})
	fm = h.w.watch.form
	if fm == nil || fm.adding || fm.settle.Text != "1m0s" || fm.after.Selected != afterLabels[1] || !h.dialogSays("Watch folder") {
		t.Fatalf("a watched folder dropped again: %+v", fm)
	}
	test.Tap(h.dialogButton("Cancel"))
	if h.w.watch.form != nil || h.w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Cancel left a form open")
	}
	if again, _ := h.eng.WatchFolders(); len(again) != 1 || again[0].Settle != time.Minute {
		t.Fatalf("after Cancel: %+v", again)
	}
}

// A file that waits to be still is named in its folder's row with the
// time it goes if it stays so; with several, the first is named and the
// others counted.
func TestASettlingFileIsNamedWithItsWait(t *testing.T) {
	h, wt := watchHarness(t)
	root := wine.TempDir(t)
	one, three, none := filepath.Join(root, "one"), filepath.Join(root, "three"), filepath.Join(root, "none")
	for _, d := range []string{one, three, none} {
		os.MkdirAll(d, 0o755)
	}
	tustest.RandomFile(t, one, "holiday.mp4", 1000, 1)
	for i, n := range []string{"a.mp4", "b.mov", "c.mkv"} {
		tustest.RandomFile(t, three, n, 1000, int64(i+2))
	}
	sub := wt.Subscribe(256)
	defer sub.Close()
	for _, d := range []string{one, three, none} {
		// An hour: nothing goes while the test looks.
		if _, err := wt.Add(settings.WatchFolder{Dir: d, Dest: engine.Destination{Name: "tusd"}, Settle: time.Hour}); err != nil {
			t.Fatal(err)
		}
		awaitWatch(t, sub, "the walk of "+d, isEvent(watch.Scanned, d)) // Status shows what it found
	}
	st := map[string]watch.Status{}
	for _, s := range wt.Status() {
		st[s.Dir] = s
	}
	test.Tap(h.w.watchB)

	h.w.nowFunc = func() time.Time { return st[one].SettlingDue.Add(-4 * time.Second) }
	if got := h.watchRowOf(one).settle.Text; got != "Settling: holiday.mp4 — uploads in 4 s if it stays still" {
		t.Fatalf("one file settling: %q", got)
	}
	h.w.nowFunc = func() time.Time { return st[three].SettlingDue.Add(-90 * time.Second) }
	first := filepath.Base(st[three].SettlingFirst)
	want := "Settling: " + first + " — uploads in 1 min 30 s if it stays still; 2 more files settling"
	if r := h.watchRowOf(three); r.settle.Text != want || !strings.Contains(r.count.Text, "3 settling") {
		t.Fatalf("three files settling: %q (%q), want %q", r.settle.Text, r.count.Text, want)
	}
	if got := h.watchRowOf(none).settle.Text; got != "" {
		t.Fatalf("nothing settling: %q", got)
	}
	h.w.nowFunc = func() time.Time { return st[one].SettlingDue.Add(time.Second) }
	if got := h.watchRowOf(one).settle.Text; got != "Settling: holiday.mp4 — uploads in a moment if it stays still" {
		t.Fatalf("due: %q", got)
	}
	if h.srv.Created() != 0 {
		t.Fatal("a settling file was uploaded")
	}
}

// The counts a folder's row shows survive a restart: the engine and the
// watcher closed and opened again on the same data dir show them at once.
func TestWatchFolderCountsSurviveARestart(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t)
	data, dir := wine.TempDir(t), wine.TempDir(t)
	open := func() (*engine.Engine, *watch.Watcher, *watch.Subscription) {
		eng, err := engine.Open(engine.Options{DataDir: data, Tick: 20 * time.Millisecond, Keychain: keychain.Open(data, nil)})
		if err != nil {
			t.Fatal(err)
		}
		eng.Start()
		wt := watch.New(eng, watch.Options{Presence: 100 * time.Millisecond})
		return eng, wt, wt.Subscribe(256)
	}

	// The first run uploads a file from the folder, with no window.
	eng, wt, sub := open()
	if err := eng.SaveDestination(engine.Destination{Name: "tusd", Kind: dest.KindTus, URL: srv.URL}, nil); err != nil {
		t.Fatal(err)
	}
	if err := eng.SetDefaultDestination("tusd"); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add(settings.WatchFolder{Dir: dir, Dest: engine.Destination{Name: "tusd"}, Settle: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	p, _ := tustest.RandomFile(t, dir, "take1.mov", 300<<10, 7)
	awaitWatch(t, sub, "take1.mov uploaded", func(ev watch.Event) bool { return ev.Kind == watch.Uploaded && ev.Path == p })
	wt.Close()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}

	// The second, with the window.
	eng, wt, sub = open()
	if err := wt.StartSaved(); err != nil {
		t.Fatal(err)
	}
	w := New(test.NewTempApp(t), Options{Engine: eng, RateLimit: -1, Watcher: wt})
	w.win.Resize(fyne.NewSize(980, 640))
	h := &harness{t: t, srv: srv, eng: eng, w: w}
	t.Cleanup(func() {
		w.Close()
		wt.Close()
		eng.Close()
	})
	test.Tap(w.watchB)
	want := "1 found · 0 settling · 0 uploading · 1 uploaded (" + size(300<<10) + ")"
	if got := h.watchRowOf(dir).count.Text; got != want {
		t.Fatalf("right after the restart the row says %q, want %q", got, want)
	}
	awaitWatch(t, sub, "the walk after the restart", isEvent(watch.Scanned, dir))
	if got := h.watchRowOf(dir).count.Text; got != want {
		t.Fatalf("after the walk the row says %q, want %q (the file uploaded before is not counted again)", got, want)
	}
	if srv.Created() != 1 {
		t.Fatalf("%d uploads created, want 1", srv.Created())
	}
}
