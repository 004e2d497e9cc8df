package watch

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/watch/settings"
)

// Settle times are short, deadlines generous: a slow, loaded machine
// makes a test slower, never wrong.
const (
	settle  = 400 * time.Millisecond
	patient = 60 * time.Second
)

// rig is an engine and a watcher on a data dir, against a real tusd.
type rig struct {
	t    *testing.T
	srv  *tustest.Server
	data string
	opts Options
	eng  *engine.Engine
	w    *Watcher

	mu     sync.Mutex
	events []Event
	subEnd chan struct{}
	heard  chan struct{} // an event came (1-buffered): awaitEvents wakes
}

func newRig(t *testing.T, srv *tustest.Server, opts Options) *rig {
	t.Helper()
	if srv == nil {
		srv = tustest.New(t)
	}
	if opts.Presence == 0 {
		opts.Presence = 100 * time.Millisecond
	}
	r := &rig{t: t, srv: srv, data: wine.TempDir(t), opts: opts, heard: make(chan struct{}, 1)}
	r.open()
	t.Cleanup(r.close)
	return r
}

// open starts the engine and the watcher (again, after close).
func (r *rig) open() {
	r.t.Helper()
	eng, err := engine.Open(engine.Options{DataDir: r.data, MaxBackoff: 300 * time.Millisecond, Tick: 50 * time.Millisecond,
		PersistEvery: 100 * time.Millisecond, Settle: 300 * time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	r.eng = eng
	r.w = New(eng, r.opts)
	sub := r.w.Subscribe(1 << 16)
	r.subEnd = make(chan struct{})
	go func() {
		defer close(r.subEnd)
		for ev := range sub.C {
			r.mu.Lock()
			r.events = append(r.events, ev)
			r.mu.Unlock()
			select {
			case r.heard <- struct{}{}:
			default:
			}
		}
	}()
}

// close stops the watcher, then the engine, as a front-end does.
func (r *rig) close() {
	if r.w == nil {
		return
	}
	r.w.Close()
	<-r.subEnd
	if err := r.eng.Close(); err != nil {
		r.t.Errorf("closing the engine: %v", err)
	}
	r.w, r.eng = nil, nil
}

// folder is a watch folder's settings for dir, to the rig's server.
func (r *rig) folder(dir string) settings.WatchFolder {
	return settings.WatchFolder{Dir: dir, Dest: engine.Destination{URL: r.srv.URL}, Settle: settle}
}

func (r *rig) add(f settings.WatchFolder) settings.WatchFolder {
	r.t.Helper()
	f, err := r.w.Add(f)
	if err != nil {
		r.t.Fatal(err)
	}
	return f
}

// watch adds a folder and waits until its first walk is over.
func (r *rig) watch(f settings.WatchFolder) settings.WatchFolder {
	r.t.Helper()
	n := r.count(Scanned, f.Dir)
	f = r.add(f)
	r.waitEvents(Scanned, f.Dir, n+1)
	return f
}

// count is how many events of a kind there were for a file (or folder).
func (r *rig) count(k Kind, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if ev.Kind == k && (ev.Path == path || ev.Path == "" && ev.Dir == path) {
			n++
		}
	}
	return n
}

// find returns the latest event of a kind for a file (or folder).
func (r *rig) find(k Kind, path string) (Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		ev := r.events[i]
		if ev.Kind == k && (ev.Path == path || ev.Path == "" && ev.Dir == path) {
			return ev, true
		}
	}
	return Event{}, false
}

func (r *rig) waitEvents(k Kind, path string, n int) {
	r.t.Helper()
	waitUntil(r.t, fmt.Sprintf("%d %s events for %s", n, k, path), func() bool { return r.count(k, path) >= n })
}

// awaitEvents waits, event by event and never by the clock, until cond
// holds; cond may read the events and Status, which shows what an event
// says by the time it comes.
func (r *rig) awaitEvents(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.NewTimer(patient)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-r.heard:
		case <-deadline.C:
			r.t.Fatalf("waited %s for %s; events:\n%s", patient, what, r.dump())
		}
	}
}

func (r *rig) status(dir string) Status {
	for _, s := range r.w.Status() {
		if s.Dir == dir {
			return s
		}
	}
	r.t.Fatalf("no status for %s", dir)
	return Status{}
}

func (r *rig) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, ev := range r.events {
		fmt.Fprintf(&b, "  %s %s %s %s\n", ev.Kind, ev.Path, ev.To, ev.Msg)
	}
	return b.String()
}

// waitUntil polls cond until it holds, or fails the test after a long
// while.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patient)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", patient, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// arrived waits until the server holds a whole upload of name with sha.
func arrived(t *testing.T, srv *tustest.Server, name, sha string) {
	t.Helper()
	waitUntil(t, name+" on the server", func() bool {
		up, ok := srv.UploadByName(name)
		return ok && up.Done && up.SHA256 == sha
	})
}

// quiet waits long enough for anything the watcher would still do to
// show: several settle times and a presence check or two.
func quiet() { time.Sleep(4*settle + 300*time.Millisecond) }

func created(t *testing.T, srv *tustest.Server, want int) {
	t.Helper()
	if got := srv.Created(); got != want {
		t.Fatalf("the server created %d uploads, want %d", got, want)
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// writeSlowly appends chunks to path every gap until d has passed, and
// returns the file's SHA-256 once it is whole.
func writeSlowly(t *testing.T, path string, chunk int, gap, d time.Duration) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, chunk)
	for i, end := 0, time.Now().Add(d); time.Now().Before(end); i++ {
		for j := range buf {
			buf[j] = byte(i*31 + j)
		}
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
		time.Sleep(gap)
	}
}

func mkdir(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}
