package ui

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
)

// harness is a window over a real engine that uploads to a real tusd.
type harness struct {
	t   *testing.T
	srv *tustest.Server
	eng *engine.Engine
	w   *Window
	dir string // where test files are made
}

func newHarness(t *testing.T, srvOpts ...tustest.Option) *harness {
	t.Helper()
	return newHarnessWith(t, nil, srvOpts...)
}

// newHarnessWith lets a test set the window's options.
func newHarnessWith(t *testing.T, opt func(*Options), srvOpts ...tustest.Option) *harness {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	h := &harness{t: t, srv: tustest.New(t, srvOpts...), dir: wine.TempDir(t)}
	data := wine.TempDir(t)
	eng, err := engine.Open(engine.Options{DataDir: data, Tick: 20 * time.Millisecond, StallTimeout: 5 * time.Second,
		Keychain: keychain.Open(data, nil)})
	if err != nil {
		t.Fatal(err)
	}
	h.eng = eng
	if err := eng.SaveDestination(engine.Destination{Name: "tusd", Kind: dest.KindTus, URL: h.srv.URL}, nil); err != nil {
		t.Fatal(err)
	}
	if err := eng.SetDefaultDestination("tusd"); err != nil {
		t.Fatal(err)
	}
	eng.Start()
	a := test.NewTempApp(t)
	o := Options{Engine: eng, RateLimit: -1}
	if opt != nil {
		opt(&o)
	}
	h.w = New(a, o)
	h.w.win.Resize(fyne.NewSize(980, 640))
	t.Cleanup(func() {
		h.w.Close()
		eng.Close()
	})
	return h
}

// settle waits for the window's work off the UI goroutine, then runs the
// frame that takes its results.
func (h *harness) settle() {
	h.w.busy.Wait()
	h.w.frame(true)
}

func (h *harness) file(name string, size int64) (path, sha string) {
	return tustest.RandomFile(h.t, h.dir, name, size, int64(len(name)))
}

// rows are the rows on screen, after a frame.
func (h *harness) rows() []*row {
	h.w.frame(true)
	var rows []*row
	for _, o := range test.LaidOutObjects(h.w.win.Content()) {
		if r, ok := o.(*row); ok && r.Visible() && r.id != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

// rowOf waits until the row of the file named name satisfies ok.
func (h *harness) rowOf(name string, ok func(*row) bool) *row {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		for _, r := range h.rows() {
			if r.name.Text == name {
				last = r.state.Text
				if ok(r) {
					return r
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatalf("row %s never got there; its state line: %q", name, last)
	return nil
}

// title waits for the window's title (totals arrive each engine tick).
func (h *harness) title(want string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		h.w.frame(true)
		if h.w.win.Title() == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatalf("title %q, want %q", h.w.win.Title(), want)
}

func stateIs(prefix string) func(*row) bool {
	return func(r *row) bool { return strings.HasPrefix(r.state.Text, prefix) }
}

func TestDroppedFileGoesFromQueuedToDoneWithItsLink(t *testing.T) {
	h := newHarness(t)
	path, sha := h.file("clip.mp4", 3<<20+17)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})

	r := h.rowOf("clip.mp4", stateIs("Done"))
	up, ok := h.srv.UploadByName("clip.mp4")
	if !ok || !up.Done || up.SHA256 != sha {
		t.Fatalf("server holds %+v, want the whole file (sha %s)", up, sha)
	}
	if h.srv.Created() != 1 {
		t.Fatalf("%d uploads created, want 1", h.srv.Created())
	}
	if !r.primary.Visible() {
		t.Fatal("a done row offers no copy-link button")
	}
	test.Tap(r.primary)
	j, _ := h.eng.Job(r.id)
	if got := h.w.app.Clipboard().Content(); got == "" || got != shareable(j) {
		t.Fatalf("clipboard %q, want the upload's link %q", got, shareable(j))
	}
	h.rowOf("clip.mp4", stateIs("Done — link copied"))
	if c := h.w.m.counts(); c[viewDone] != 1 || c[viewActive] != 0 {
		t.Fatalf("counts %v, want 1 done, 0 active", c)
	}
	if !strings.Contains(h.w.tabs[viewDone].Text, "1") {
		t.Fatalf("Done tab says %q", h.w.tabs[viewDone].Text)
	}
}

func TestDroppedFolderQueuesItsFilesAndSkipsHiddenOnes(t *testing.T) {
	h := newHarness(t)
	sub := filepath.Join(h.dir, "shoot", "day1")
	os.MkdirAll(sub, 0o755)
	tustest.RandomFile(t, sub, "a.mov", 100<<10, 1)
	tustest.RandomFile(t, sub, "b.mp4", 200<<10, 2)
	tustest.RandomFile(t, sub, ".hidden.mp4", 10, 3)
	tustest.RandomFile(t, sub, "c.mp4.part", 10, 4)
	h.w.Drop([]fyne.URI{storage.NewFileURI(filepath.Join(h.dir, "shoot"))})
	h.rowOf("a.mov", stateIs("Done"))
	h.rowOf("b.mp4", stateIs("Done"))
	if n := len(h.eng.Snapshot().Jobs); n != 2 {
		t.Fatalf("%d jobs, want 2 (hidden and partial files skipped)", n)
	}
	if h.srv.Created() != 2 {
		t.Fatalf("%d uploads created, want 2", h.srv.Created())
	}
}

func TestPauseFromTheRowShowsPausedAndStopsTheBytes(t *testing.T) {
	h := newHarness(t)
	h.eng.SetRateLimit(256 << 10)
	path, _ := h.file("long.mov", 8<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	r := h.rowOf("long.mov", func(r *row) bool {
		return strings.HasPrefix(r.state.Text, "Uploading") && r.bar.value > 0
	})
	test.Tap(r.primary) // pause
	r = h.rowOf("long.mov", stateIs("Paused at"))
	time.Sleep(300 * time.Millisecond) // a PATCH in flight ends
	before := h.srv.BytesReceived()
	time.Sleep(time.Second)
	if after := h.srv.BytesReceived(); after != before {
		t.Fatalf("paused, yet the server got %d more bytes", after-before)
	}
	h.eng.SetRateLimit(0)
	test.Tap(r.primary) // resume
	h.rowOf("long.mov", stateIs("Done"))
	if h.srv.Created() != 1 {
		t.Fatalf("%d uploads created, want 1 (the resume goes on with the same upload)", h.srv.Created())
	}
}

func TestRefusedTokenShowsTheSentenceAndItsAction(t *testing.T) {
	h := newHarness(t, tustest.WithAuth("right"))
	if err := h.eng.SaveDestination(engine.Destination{Name: "tusd", Kind: dest.KindTus, URL: h.srv.URL,
		Header: http.Header{"Authorization": {"Bearer wrong"}}}, nil); err != nil {
		t.Fatal(err)
	}
	path, _ := h.file("secret.mp4", 1<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	r := h.rowOf("secret.mp4", stateIs("Failed"))
	if !strings.Contains(r.state.Text, "refused the credentials (401)") {
		t.Fatalf("state line %q does not say the token was refused", r.state.Text)
	}
	if !r.fix.Visible() || r.fix.Text != "Check the destination" {
		t.Fatalf("fix button visible=%v %q, want Check the destination", r.fix.Visible(), r.fix.Text)
	}
	test.TapAt(r.fix, fyne.NewPos(8, r.fix.Size().Height/2))
	if h.w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Check the destination opened nothing")
	}
	if c := h.w.m.counts(); c[viewFailed] != 1 {
		t.Fatalf("counts %v, want 1 failed", c)
	}
}

func TestSlowModeAndSettingsReachTheEngineLive(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.w.slow)
	h.settle()
	if _, r := h.eng.Limits(); r != DefaultPrefs().SlowRate {
		t.Fatalf("slow mode: rate %d, want %d", r, DefaultPrefs().SlowRate)
	}
	if !h.prefs().SlowMode {
		t.Fatal("slow mode was not saved")
	}
	test.Tap(h.w.slow)
	if _, r := h.eng.Limits(); r != 0 {
		t.Fatalf("slow mode off: rate %d, want none", r)
	}
	p := h.w.prefs
	p.Concurrency, p.RateLimit = 7, 3<<20
	if err := SavePrefs(h.eng, p); err != nil {
		t.Fatal(err)
	}
	if err := h.w.applyPrefs(p, false); err != nil {
		t.Fatal(err)
	}
	if n, r := h.eng.Limits(); n != 7 || r != 3<<20 {
		t.Fatalf("Limits %d, %d after the settings changed; want 7, %d", n, r, 3<<20)
	}
}

func TestViewsAndSearchShowTheRightRows(t *testing.T) {
	h := newHarness(t, tustest.WithAuth("right"))
	// Two destinations: one fails (no token), one works.
	good := tustest.New(t)
	if err := h.eng.SaveDestination(engine.Destination{Name: "good", Kind: dest.KindTus, URL: good.URL}, nil); err != nil {
		t.Fatal(err)
	}
	var fail []string
	for _, n := range []string{"bad-one.mp4", "bad-two.mov"} {
		p, _ := h.file(n, 1000)
		fail = append(fail, p)
	}
	h.w.Add(fail, nil)
	h.rowOf("bad-two.mov", stateIs("Failed"))
	h.w.refreshDests() // as the destinations dialog does after a save
	h.w.dest.SetSelected("good")
	p, _ := h.file("holiday.mp4", 2000)
	h.w.Add([]string{p}, nil)
	h.rowOf("holiday.mp4", stateIs("Done"))
	h.rowOf("bad-one.mp4", stateIs("Failed"))

	names := func() []string {
		var n []string
		for _, r := range h.rows() {
			n = append(n, r.name.Text)
		}
		return n
	}
	check := func(v view, query string, want ...string) {
		t.Helper()
		h.w.search.SetText(query)
		h.w.setView(v)
		if got := names(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("view %s, search %q: rows %v, want %v", viewNames[v], query, got, want)
		}
	}
	// Newest first.
	check(viewAll, "", "holiday.mp4", "bad-two.mov", "bad-one.mp4")
	check(viewDone, "", "holiday.mp4")
	check(viewFailed, "", "bad-two.mov", "bad-one.mp4")
	check(viewActive, "")
	check(viewFailed, "TWO", "bad-two.mov")
	check(viewAll, "mp4", "holiday.mp4", "bad-one.mp4")
	if c := h.w.m.counts(); c != [numViews]int{2, 0, 1, 1} {
		t.Fatalf("counts while searching mp4: %v, want [2 0 1 1]", c)
	}
	h.w.search.SetText("")
	if c := h.w.m.counts(); c != [numViews]int{3, 0, 1, 2} {
		t.Fatalf("counts %v, want [3 0 1 2]", c)
	}
	if !strings.HasPrefix(h.w.tabs[viewFailed].Text, "Failed") || !strings.Contains(h.w.tabs[viewFailed].Text, "2") {
		t.Fatalf("Failed tab %q", h.w.tabs[viewFailed].Text)
	}

	// Retry from the Failed view after fixing the destination's token:
	// the row leaves the view.
	h.w.search.SetText("")
	h.w.setView(viewFailed)
	h.eng.SaveDestination(engine.Destination{Name: "tusd", Kind: dest.KindTus, URL: h.srv.URL,
		Header: http.Header{"Authorization": {"Bearer right"}}}, nil)
	r := h.rowOf("bad-one.mp4", stateIs("Failed"))
	test.Tap(r.primary) // retry
	deadline := time.Now().Add(20 * time.Second)
	for h.w.m.counts()[viewDone] != 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := names(); strings.Join(got, ",") != "bad-two.mov" {
		t.Fatalf("Failed view after a retry: %v, want [bad-two.mov]", got)
	}
}

func TestTitleAndTrayLineFollowTheQueue(t *testing.T) {
	tot := engine.Totals{FilesLeft: 3, BytesLeft: 58}
	tot.ByState[engine.Uploading] = 3
	if got := trayLine(tot, nil, 0.42); got != "3 uploading — 42 %" {
		t.Fatalf("trayLine = %q", got)
	}
	if got := trayLine(engine.Totals{}, nil, 0); got != "Idle" {
		t.Fatalf("idle trayLine = %q", got)
	}
	h := newHarness(t)
	h.eng.SetRateLimit(128 << 10)
	path, _ := h.file("big.mp4", 4<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	h.rowOf("big.mp4", stateIs("Uploading"))
	h.title("Ferry — 1 uploading")
	h.eng.PauseAll()
	h.title("Ferry — 1 paused")
}

func TestOneNotificationForABatch(t *testing.T) {
	var sent []string
	n := &notifier{send: func(title, body string) { sent = append(sent, title+": "+body) }}
	tot := func(left, done, failed int) engine.Event {
		t := engine.Totals{FilesLeft: left}
		t.ByState[engine.Done], t.ByState[engine.Failed] = done, failed
		return engine.Event{Type: engine.TotalsChanged, Totals: t}
	}
	n.event(tot(0, 4, 0)) // history: no batch
	for left := 20; left >= 1; left-- {
		n.event(tot(left, 4+20-left, 0))
	}
	n.event(tot(0, 22, 2))
	n.event(tot(0, 22, 2))
	if len(sent) != 1 || !strings.Contains(sent[0], "18 files uploaded; 2 files failed") {
		t.Fatalf("notifications %q, want one that says 18 uploaded and 2 failed", sent)
	}
}

type fakeAwake struct {
	mu    sync.Mutex
	holds []bool
}

func (f *fakeAwake) Hold(on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = append(f.holds, on)
	return nil
}

func (f *fakeAwake) calls() []bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.holds)
}

func TestKeepsTheComputerAwakeOnlyWhileUploading(t *testing.T) {
	aw := &fakeAwake{}
	h := newHarnessWith(t, func(o *Options) { o.Awake = aw })
	h.eng.SetRateLimit(512 << 10)
	path, _ := h.file("night.mp4", 2<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	h.rowOf("night.mp4", stateIs("Uploading"))
	h.title("Ferry — 1 uploading")
	h.eng.PauseAll()
	h.title("Ferry — 1 paused")
	h.eng.ResumeAll()
	h.title("Ferry — 1 uploading")
	h.eng.SetRateLimit(0)
	h.rowOf("night.mp4", stateIs("Done"))
	h.title("Ferry")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !slices.Equal(aw.calls(), []bool{true, false, true, false}) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := aw.calls(); !slices.Equal(got, []bool{true, false, true, false}) {
		t.Fatalf("Hold calls %v, want held while uploading, let go when paused and when done", got)
	}
}

func TestKeysActOnTheSelectedJob(t *testing.T) {
	h := newHarness(t)
	h.eng.SetRateLimit(128 << 10)
	path, _ := h.file("keys.mp4", 4<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	test.Tap(h.rowOf("keys.mp4", stateIs("Uploading")))
	key := h.w.win.Canvas().OnTypedKey()
	key(&fyne.KeyEvent{Name: fyne.KeySpace})
	h.rowOf("keys.mp4", stateIs("Paused"))
	key(&fyne.KeyEvent{Name: fyne.KeySpace})
	h.rowOf("keys.mp4", stateIs("Uploading"))
	key(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if n := len(h.rows()); n != 0 {
		t.Fatalf("Delete left %d rows", n)
	}
	h.w.nowFunc = func() time.Time { return time.Now().Add(undoLife) }
	h.w.frame(true) // Undo is no longer offered: the removal is sent
	h.settle()
	if n := len(h.eng.Snapshot().Jobs); n != 0 {
		t.Fatalf("Delete left %d jobs", n)
	}
	// With nothing selected the keys do nothing (and do not panic).
	key(&fyne.KeyEvent{Name: fyne.KeySpace})
}

func TestClosingWithoutATrayAsksWhileUploadsRun(t *testing.T) {
	quits := 0
	h := newHarnessWith(t, func(o *Options) {
		o.TrayHost = func() bool { return false }
		o.Quit = func() { quits++ }
	})
	h.w.closeRequested() // idle: nothing runs unseen, so it quits
	if quits != 1 {
		t.Fatalf("closing an idle window without a tray: %d quits, want 1", quits)
	}
	h.eng.SetRateLimit(64 << 10)
	path, _ := h.file("away.mp4", 2<<20)
	h.w.Drop([]fyne.URI{storage.NewFileURI(path)})
	h.title("Ferry — 1 uploading")
	h.w.closeRequested()
	if quits != 1 || h.w.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("closing while uploading without a tray: %d quits and no question", quits)
	}
}

// Settings are kept off the UI goroutine, and quick changes keep the
// newest: slow mode on and off again is off, on disk too.
func TestQuickChangesKeepTheNewestSettings(t *testing.T) {
	h := newHarness(t)
	for range 5 {
		test.Tap(h.w.slow)
	}
	test.Tap(h.w.slow) // six taps: off
	h.settle()
	if h.w.prefs.SlowMode || h.prefs().SlowMode {
		t.Fatalf("slow mode shown %v, kept %v; want off", h.w.prefs.SlowMode, h.prefs().SlowMode)
	}
	if _, r := h.eng.Limits(); r != 0 {
		t.Fatalf("rate %d; want none", r)
	}
}
