package engine

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// newEngine opens an engine on a fresh data dir with quick clocks.
func newEngine(t *testing.T, opts ...func(*Options)) *Engine {
	t.Helper()
	o := Options{
		DataDir:      wine.TempDir(t),
		StallTimeout: 2 * time.Second,
		MaxBackoff:   300 * time.Millisecond,
		Tick:         50 * time.Millisecond,
		PersistEvery: 100 * time.Millisecond,
	}
	for _, f := range opts {
		f(&o)
	}
	e, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// waitFor waits, on the engine's events, until a job is in one of the
// states.
func waitFor(t *testing.T, e *Engine, id string, timeout time.Duration, states ...State) Job {
	t.Helper()
	j, _ := waitJob(t, e, timeout, func(j Job) bool { return j.ID == id && slices.Contains(states, j.State) }, id)
	return j
}

// waitOffset waits until the job has sent at least n bytes.
func waitOffset(t *testing.T, e *Engine, id string, n int64, timeout time.Duration) {
	t.Helper()
	waitJob(t, e, timeout, func(j Job) bool { return j.ID == id && j.Offset >= n }, id)
}

// waitJob waits for a job event (or the job's present state) that ok
// accepts. A missed event is made up for by looking at the job itself.
func waitJob(t *testing.T, e *Engine, timeout time.Duration, ok func(Job) bool, id string) (Job, bool) {
	t.Helper()
	sub := e.Subscribe(JobChanged.Mask()|JobProgress.Mask()|JobRemoved.Mask(), 256)
	defer sub.Close()
	deadline := time.After(timeout)
	for {
		j, found := e.Job(id)
		if !found {
			t.Fatalf("job %s vanished", id)
		}
		if ok(j) {
			return j, true
		}
		select {
		case <-sub.C:
		case <-time.After(100 * time.Millisecond): // a missed event
		case <-deadline:
			t.Fatalf("job %s is %s (%s%s), offset %d, after %s", filepath.Base(j.Path), j.State, j.Reason, j.Error, j.Offset, timeout)
		}
	}
}

// assertArrived checks the server holds exactly the file's bytes under its
// name, and that the server created `created` uploads in all.
func assertArrived(t *testing.T, srv *tustest.Server, name, sha string, created int) {
	t.Helper()
	up, ok := srv.UploadByName(name)
	if !ok {
		t.Fatalf("server has no upload named %s (requests: %v)", name, srv.Requests())
	}
	if !up.Done || up.SHA256 != sha {
		t.Fatalf("%s on server: done=%v offset=%d/%d sha=%s, want sha %s", name, up.Done, up.Offset, up.Size, up.SHA256, sha)
	}
	if got := srv.Created(); got != created {
		t.Fatalf("server created %d uploads, want %d", got, created)
	}
}

func destOf(srv *tustest.Server) Destination { return Destination{URL: srv.URL} }

// waitDone waits until n jobs are done.
func waitDone(t *testing.T, e *Engine, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	sub := e.Subscribe(TotalsChanged.Mask(), 16)
	defer sub.Close()
	for e.Totals().Count(Done) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs done after %s; wanted %d (%+v)", e.Totals().Count(Done), timeout, n, e.Totals())
		}
		select {
		case <-sub.C:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// needAcks skips a test that watches acknowledged bytes where the system
// does not tell them (transfer.AcksKnown).
func needAcks(t *testing.T) {
	t.Helper()
	if !transfer.AcksKnown() {
		t.Skip("this system does not tell a connection's acknowledged bytes (Windows before 10 1703; Wine has no SIO_TCP_INFO)")
	}
}
