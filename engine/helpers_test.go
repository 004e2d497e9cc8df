package engine

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
)

// newEngine opens an engine on a fresh data dir with quick clocks.
func newEngine(t *testing.T, opts ...func(*Options)) *Engine {
	t.Helper()
	o := Options{
		DataDir:      t.TempDir(),
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

// waitFor polls a job until it is in one of the states.
func waitFor(t *testing.T, e *Engine, id string, timeout time.Duration, states ...State) Job {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		j, ok := e.Job(id)
		if !ok {
			t.Fatalf("job %s vanished", id)
		}
		if slices.Contains(states, j.State) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s (%s%s) after %s; wanted %v", filepath.Base(j.Path), j.State, j.Reason, j.Error, timeout, states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitOffset polls until the job has sent at least n bytes.
func waitOffset(t *testing.T, e *Engine, id string, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		j, _ := e.Job(id)
		if j.Offset >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job sent %d bytes in %s; wanted %d (%s %s)", j.Offset, timeout, n, j.State, j.Reason)
		}
		time.Sleep(10 * time.Millisecond)
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

func dest(srv *tustest.Server) Destination { return Destination{URL: srv.URL} }

// waitDone waits until n jobs are done.
func waitDone(t *testing.T, e *Engine, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for e.Totals().Count(Done) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs done after %s; wanted %d (%+v)", e.Totals().Count(Done), timeout, n, e.Totals())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
