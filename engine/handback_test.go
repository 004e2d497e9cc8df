package engine

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferry-app/ferry/engine/store"
)

// A job waiting out a backoff gives its slot up, so another job can run
// meanwhile; when its wait ends it takes a slot again only once one is
// free, saying why it still waits; and a stop during the wait gives the
// count back. In a synctest bubble: the waits are the engine's own, the
// clock is not.
func TestWaitingJobHandsItsSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := tickerEngine()
		e.concurrency = 1
		e.batch = store.Batch{}      // records are gathered here: no database
		a := fakeJob(e, "a", 10<<20) // a big file: the lane of the concurrency
		big := &e.lanes[laneOf(a.Size)]
		e.mu.Lock()
		a.lane, big.running = laneOf(a.Size), 1
		e.mu.Unlock()
		lane := func() (running, sleeping int, free bool, reason string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			return big.running, big.sleeping, e.free(a.lane), a.extra().Reason
		}

		woke := make(chan bool, 1)
		go func() { woke <- e.wait(context.Background(), a, "The server is down", 10*time.Second) }()
		synctest.Wait()
		if _, sleeping, free, reason := lane(); sleeping != 1 || !free || reason != "The server is down" || a.State != Waiting {
			t.Fatalf("waiting: sleeping %d, free %v, reason %q, state %s; want the slot given up", sleeping, free, reason, a.State)
		}

		// Another job takes the slot meanwhile.
		e.mu.Lock()
		big.running++
		e.mu.Unlock()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		select {
		case <-woke:
			t.Fatal("the wait ended while every slot was taken")
		default:
		}
		if _, _, free, reason := lane(); free || reason != slotReason {
			t.Fatalf("backoff over, slot taken: free %v, reason %q; want %q", free, reason, slotReason)
		}

		// It ends: the waiting job has its slot back at the next look.
		e.mu.Lock()
		big.running--
		e.mu.Unlock()
		time.Sleep(slotPoll)
		synctest.Wait()
		if ok := <-woke; !ok {
			t.Fatal("wait said the job was stopped")
		}
		if running, sleeping, free, _ := lane(); running != 1 || sleeping != 0 || free {
			t.Fatalf("after the hand-back: running %d, sleeping %d, free %v; want the slot the job's again", running, sleeping, free)
		}

		// Stopped while it waits: its count is given back, and no slot is
		// taken.
		ctx, cancel := context.WithCancel(context.Background())
		go func() { woke <- e.wait(ctx, a, "The server is down", time.Hour) }()
		synctest.Wait()
		cancel()
		synctest.Wait()
		if ok := <-woke; ok {
			t.Fatal("a stopped wait said go on")
		}
		if running, sleeping, _, _ := lane(); running != 1 || sleeping != 0 {
			t.Fatalf("after a stop: running %d, sleeping %d", running, sleeping)
		}
	})
}
