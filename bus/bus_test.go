package bus

import "testing"

type ev struct {
	seq uint64
	n   int
}

func stamped() *Bus[ev] {
	return &Bus[ev]{Stamp: func(e *ev, seq uint64) { e.seq = seq }}
}

func TestEventsAreNumberedWhateverASubscriberKeeps(t *testing.T) {
	b := stamped()
	odd := b.Subscribe(10, func(e ev) bool { return e.n%2 == 1 })
	for n := range 4 {
		b.Publish(ev{n: n})
	}
	if got := <-odd.C; got.n != 1 || got.seq != 2 {
		t.Fatalf("first kept event %+v; want n 1, seq 2", got)
	}
	if got := <-odd.C; got.n != 3 || got.seq != 4 {
		t.Fatalf("second kept event %+v; want n 3, seq 4", got)
	}
	if b.Seq() != 4 {
		t.Fatalf("Seq %d; want 4", b.Seq())
	}
}

func TestAFullSubscriberMissesEventsAndIsTold(t *testing.T) {
	b := stamped()
	slow, fast := b.Subscribe(2, nil), b.Subscribe(10, nil)
	for n := range 5 {
		b.Publish(ev{n: n}) // never blocks, full buffer or not
	}
	if m := slow.Missed(); m != 3 {
		t.Fatalf("slow missed %d; want 3", m)
	}
	if m := slow.Missed(); m != 0 {
		t.Fatalf("Missed counts since the last call: %d the second time", m)
	}
	if m := fast.Missed(); m != 0 || len(fast.C) != 5 {
		t.Fatalf("fast missed %d, holds %d", m, len(fast.C))
	}
}

func TestCloseEndsOneSubscriptionAndCloseAllTheRest(t *testing.T) {
	b := stamped()
	a, c := b.Subscribe(1, nil), b.Subscribe(1, nil)
	a.Close()
	a.Close() // twice is harmless
	if _, open := <-a.C; open {
		t.Fatal("a closed subscription's channel is open")
	}
	b.Publish(ev{})
	b.CloseAll()
	if got, open := <-c.C; !open || got.seq != 1 {
		t.Fatalf("the event before CloseAll: %+v, open %v", got, open)
	}
	if _, open := <-c.C; open {
		t.Fatal("CloseAll left a channel open")
	}
	c.Close() // after CloseAll: harmless
}
