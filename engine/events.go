package engine

import "sync"

// EventType says what happened.
type EventType int

const (
	JobAdded      EventType = iota // a new job
	JobChanged                     // state, result, error or notes changed
	JobProgress                    // bytes moved (coalesced by the engine's ticker)
	JobRemoved                     // the job is gone from the queue
	TotalsChanged                  // files and bytes left, overall speed (each tick)
	QueueHalted                    // the queue cannot be recorded: nothing runs (Event.Err)
	QueueResumed                   // the queue can be recorded again
)

var eventNames = [...]string{"added", "changed", "progress", "removed", "totals", "halted", "resumed"}

func (t EventType) String() string {
	if t < 0 || int(t) >= len(eventNames) {
		return "event"
	}
	return eventNames[t]
}

// EventMask selects event types: JobAdded.Mask() | JobChanged.Mask().
type EventMask uint32

// AllEvents selects every type.
const AllEvents EventMask = ^EventMask(0)

// Mask is the mask of one type.
func (t EventType) Mask() EventMask { return 1 << t }

// Event is one thing that happened. Seq increases by one per event across
// the engine (whatever a subscriber's mask): a subscriber whose buffer was
// full misses events, sees a gap, takes a Snapshot (or reads Seq and the
// jobs it follows) and drops the events it still holds with a Seq up to
// that one.
type Event struct {
	Seq    uint64
	Type   EventType
	Job    Job    // JobAdded, JobChanged, JobProgress, JobRemoved
	Totals Totals // TotalsChanged
	Err    *Error // QueueHalted
}

// Subscription receives events until Close.
type Subscription struct {
	C      <-chan Event
	c      chan Event
	mask   EventMask
	bus    *bus
	missed bool // an event was dropped because C was full (guarded by bus.mu)
}

// Close stops the subscription and closes C.
func (s *Subscription) Close() { s.bus.unsubscribe(s) }

// Missed says whether an event was dropped since the last call: the
// subscriber's picture is stale and a Snapshot puts it right.
func (s *Subscription) Missed() bool {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	m := s.missed
	s.missed = false
	return m
}

// bus fans events out without ever blocking the engine: a subscriber whose
// buffer is full misses the event. Events are published under the
// engine's lock, so the sequence number orders them with Snapshot.
type bus struct {
	mu   sync.Mutex
	seq  uint64
	subs map[*Subscription]struct{}
}

func (b *bus) subscribe(mask EventMask, buffer int) *Subscription {
	c := make(chan Event, max(buffer, 1))
	s := &Subscription{C: c, c: c, mask: mask, bus: b}
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

func (b *bus) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev.Seq = b.seq
	for s := range b.subs {
		if s.mask&ev.Type.Mask() == 0 {
			continue
		}
		select {
		case s.c <- ev:
		default:
			s.missed = true
		}
	}
}

func (b *bus) current() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		delete(b.subs, s)
		close(s.c)
	}
}
