package engine

import (
	"testing"
	"time"
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
