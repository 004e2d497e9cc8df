package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// Writer is the one ordered path to the database. Changes are staged in
// memory (cheap, under the engine's lock if need be) and written by one
// goroutine, a batch per transaction, so no disk sync ever happens under
// the engine's lock. Whoever needs a change durable waits for the
// generation that holds it, outside the lock; changes staged meanwhile
// share the same sync (group commit). A failed write keeps its changes
// staged under newer ones and is tried again.
type Writer struct {
	st     *Store
	onFail func(error) // the queue cannot be recorded: halt it
	onHeal func()      // a write succeeded after a failure
	closed error       // what Wait returns once the writer is closed

	mu        sync.Mutex
	cond      *sync.Cond
	pending   Batch
	inflight  Batch  // being written: no longer pending, not yet on disk
	next      uint64 // generation of the pending batch
	committed uint64 // the newest generation on disk
	failedGen uint64 // the newest generation that failed...
	failErr   error  // ...and why (nil once a write succeeds)
	stopped   bool
	timed     bool // a lazy flush is on its way

	kick   chan struct{}
	done   chan struct{}
	writes atomic.Int64 // transactions
}

// retryEvery is how often a failed write is tried again.
const retryEvery = 2 * time.Second

// NewWriter starts the writer of st. onFail hears of every failed write
// (the queue cannot be recorded), onHeal of the first success after one;
// Wait returns closed once the writer is closed.
func NewWriter(st *Store, onFail func(error), onHeal func(), closed error) *Writer {
	w := &Writer{st: st, onFail: onFail, onHeal: onHeal, closed: closed, pending: Batch{}, next: 1,
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// lazy is how long a change nobody waits for may stay staged, so that a
// burst of them (state changes of many small files) shares one sync.
const lazy = 30 * time.Millisecond

// Stage queues changes and returns the generation that will hold them.
// They are written within lazy, or at once when someone waits for them.
func (w *Writer) Stage(b Batch) uint64 {
	w.mu.Lock()
	w.pending.Merge(b)
	g := w.next
	start := !w.timed
	w.timed = true
	w.mu.Unlock()
	if start {
		time.AfterFunc(lazy, w.poke)
	}
	return g
}

// Wait blocks until generation g is on disk, or its write failed.
func (w *Writer) Wait(g uint64) error {
	w.poke()
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		switch {
		case w.committed >= g:
			return nil
		case w.failedGen >= g && w.failErr != nil:
			return w.failErr
		case w.stopped:
			return w.closed
		}
		w.cond.Wait()
	}
}

// Lookup returns a staged change not yet on disk, else the stored value.
func (w *Writer) Lookup(bk Bucket, key string) []byte {
	if v, ok := w.Staged(bk, key); ok {
		return v
	}
	return w.st.Get(bk, key)
}

// Staged returns a change not yet on disk: pending, or being written.
func (w *Writer) Staged(bk Bucket, key string) ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if v, ok := w.pending.Lookup(bk, key); ok {
		return v, true
	}
	return w.inflight.Lookup(bk, key)
}

func (w *Writer) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *Writer) run() {
	defer close(w.done)
	for range w.kick {
		if !w.flush() {
			return
		}
	}
}

// flush writes what is staged; false once the writer is stopped and has
// nothing left to write.
func (w *Writer) flush() bool {
	w.mu.Lock()
	batch, g := w.pending, w.next
	w.pending, w.next, w.inflight, w.timed = Batch{}, g+1, batch, false
	stopped := w.stopped
	w.mu.Unlock()

	var err error
	if batch.Len() > 0 {
		w.writes.Add(1)
		err = w.st.Write(batch)
	}
	w.mu.Lock()
	w.inflight = nil
	healed := false
	if err != nil {
		w.pending.Under(batch)
		w.failedGen, w.failErr = g, err
	} else {
		w.committed = g
		healed = w.failErr != nil
		w.failErr = nil
	}
	w.cond.Broadcast()
	w.mu.Unlock()

	switch {
	case err != nil:
		w.onFail(err)
		if !stopped {
			time.AfterFunc(retryEvery, w.poke)
		}
	case healed:
		w.onHeal()
	}
	return !stopped
}

// Close writes what is left (once) and stops the writer.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.poke()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cond.Broadcast()
	return w.failErr
}

// Writes counts the transactions written, for tests of the write rate.
func (w *Writer) Writes() int64 { return w.writes.Load() }
