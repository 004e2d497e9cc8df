package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// The waits between attempts that got nowhere grow from half a second,
// doubling within ±50 %, and never pass the cap; after progress they start
// over: a failing server meets a handful of attempts, never a storm.
func TestRetryWaitsGrowAndKeepTheirCap(t *testing.T) {
	const max = 2 * time.Second
	for run := range 200 {
		w := newRetryWaits(max)
		base := firstWait
		for i := range 8 {
			got := w.next()
			lo, hi := base/2, min(base*3/2, max)
			if got < lo || got > hi {
				t.Fatalf("run %d, wait %d: %s, outside %s–%s", run, i, got, lo, hi)
			}
			base = min(base*2, max)
		}
		w.reset()
		if got := w.next(); got < firstWait/2 || got > firstWait*3/2 {
			t.Fatalf("run %d: the first wait after a reset is %s", run, got)
		}
	}
}

// An error nobody classified is tried again a few times with waits
// between, and then fails the job with its cause named; progress starts
// the count over. Classified errors keep their own rules: permanent at
// once, transient without end, conflicts up to maxConflicts.
func TestRetriesGiveUpOnTheUnknown(t *testing.T) {
	unknown := errors.New("a reason no code was given to")
	r := retries{waits: newRetryWaits(time.Second)}
	for i := 1; i < maxUnknown; i++ {
		wait, failed := r.after(unknown, false)
		if failed != nil || wait <= 0 {
			t.Fatalf("unknown error %d: wait %s, failed %v; want a wait", i, wait, failed)
		}
	}
	if wait, failed := r.after(unknown, true); failed != nil || wait != 0 {
		t.Fatalf("after progress: wait %s, failed %v; want another try at once", wait, failed)
	}
	for i := 2; i < maxUnknown; i++ { // the error of the attempt that progressed is the first
		if _, failed := r.after(unknown, false); failed != nil {
			t.Fatalf("unknown error %d after progress failed: %v", i, failed)
		}
	}
	_, failed := r.after(unknown, false)
	if fault.CodeOf(failed) != fault.CodeUnclassified || fault.KindOf(failed) != fault.Permanent ||
		!errors.Is(failed, unknown) || !strings.Contains(failed.Error(), unknown.Error()) {
		t.Fatalf("the %dth unknown error in a row: %v (code %q); want it to fail the job, naming its cause", maxUnknown, failed, fault.CodeOf(failed))
	}

	network := &fault.Error{Kind: fault.Transient, Code: fault.CodeNetwork, Msg: "dropped"}
	r = retries{waits: newRetryWaits(time.Second)}
	for i := range 100 {
		if _, failed := r.after(network, false); failed != nil {
			t.Fatalf("transient error %d failed the job: %v", i, failed)
		}
	}
	refused := &fault.Error{Kind: fault.Permanent, Code: fault.CodeAuth, Msg: "refused"}
	if _, failed := r.after(refused, false); failed != refused {
		t.Fatalf("a permanent error: %v", failed)
	}
	conflict := &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict, Msg: "409"}
	for i := 1; i <= maxConflicts; i++ {
		if _, failed := r.after(conflict, false); failed != nil {
			t.Fatalf("conflict %d failed the job: %v", i, failed)
		}
	}
	if _, failed := r.after(conflict, false); fault.CodeOf(failed) != fault.CodeConflict || fault.KindOf(failed) != fault.Permanent {
		t.Fatalf("conflict %d: %v; want the job failed", maxConflicts+1, failed)
	}
}
