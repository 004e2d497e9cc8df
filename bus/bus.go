// Package bus fans events out to subscribers without ever blocking the
// one that publishes: a subscriber whose buffer is full misses the event
// and is told how many it missed. Every event gets the next sequence
// number of its bus, whatever a subscriber keeps, so a subscriber that
// missed some can put its picture right from a snapshot that says which
// event it reflects (syncthing's events, in small).
package bus

import "sync"

// Bus is a publisher's set of subscribers; the zero value is ready.
type Bus[E any] struct {
	// Stamp, when set, writes an event's sequence number into it.
	Stamp func(ev *E, seq uint64)

	mu   sync.Mutex
	seq  uint64
	subs map[*Sub[E]]struct{}
}

// Sub receives events until Close.
type Sub[E any] struct {
	C      <-chan E
	c      chan E
	keep   func(E) bool
	bus    *Bus[E]
	missed int // guarded by bus.mu
}

// Subscribe starts a subscription with room for buffer events; keep, if
// not nil, chooses the events it gets.
func (b *Bus[E]) Subscribe(buffer int, keep func(E) bool) *Sub[E] {
	c := make(chan E, max(buffer, 1))
	s := &Sub[E]{C: c, c: c, keep: keep, bus: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[*Sub[E]]struct{}{}
	}
	b.subs[s] = struct{}{}
	return s
}

// Publish stamps ev with the next sequence number and offers it to every
// subscriber that keeps it.
func (b *Bus[E]) Publish(ev E) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	if b.Stamp != nil {
		b.Stamp(&ev, b.seq)
	}
	for s := range b.subs {
		if s.keep != nil && !s.keep(ev) {
			continue
		}
		select {
		case s.c <- ev:
		default:
			s.missed++
		}
	}
}

// Seq is the sequence number of the newest event.
func (b *Bus[E]) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// CloseAll ends every subscription.
func (b *Bus[E]) CloseAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		delete(b.subs, s)
		close(s.c)
	}
}

// Close ends the subscription and closes C.
func (s *Sub[E]) Close() {
	b := s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

// Missed is the number of events dropped since the last call, because C
// was full: the subscriber's picture is stale.
func (s *Sub[E]) Missed() int {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	n := s.missed
	s.missed = 0
	return n
}
