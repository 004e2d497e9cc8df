package engine

import "sync"

// EventType says what happened to a job.
type EventType int

const (
	JobAdded    EventType = iota // a new job
	JobChanged                   // state, result, error or notes changed
	JobProgress                  // bytes moved (coalesced by the engine's ticker)
	JobRemoved                   // the job is gone from the queue
)

func (t EventType) String() string {
	return [...]string{"added", "changed", "progress", "removed"}[t]
}

// Event is one thing that happened, with a snapshot of the job after it.
// Seq increases by one per event across the engine: a subscriber that sees
// a gap missed events (its buffer was full) and should take a Snapshot.
type Event struct {
	Seq  uint64
	Type EventType
	Job  Job
}

// Subscription receives events until Close.
type Subscription struct {
	C   <-chan Event
	c   chan Event
	bus *bus
}

// Close stops the subscription and closes C.
func (s *Subscription) Close() { s.bus.unsubscribe(s) }

// bus fans events out without ever blocking the engine: a subscriber whose
// buffer is full misses the event (and sees the gap in Seq).
type bus struct {
	mu   sync.Mutex
	seq  uint64
	subs map[*Subscription]struct{}
}

func (b *bus) subscribe(buffer int) *Subscription {
	if buffer < 1 {
		buffer = 1
	}
	c := make(chan Event, buffer)
	s := &Subscription{C: c, c: c, bus: b}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

func (b *bus) unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

func (b *bus) publish(t EventType, j Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev := Event{Seq: b.seq, Type: t, Job: j}
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
		}
	}
}

func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		delete(b.subs, s)
		close(s.c)
	}
}
