package engine

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-app/ferry/engine/store"
)

// persister writes job records in the background, so no disk sync ever
// happens under the engine's lock (a slow disk must not delay a pause).
// Records are coalesced per job: the latest wins.
type persister struct {
	st      *store.Store
	mu      sync.Mutex
	pending map[string][]byte // nil record: delete the job
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	writes  atomic.Int64 // transactions, for tests of the write rate
}

func newPersister(st *store.Store) *persister {
	p := &persister{st: st, pending: map[string][]byte{}, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *persister) put(id string, rec []byte) {
	p.mu.Lock()
	p.pending[id] = rec
	p.mu.Unlock()
	p.poke()
}

func (p *persister) run() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
			if err := p.write(); err != nil {
				// Keep the records and try again shortly.
				slog.Error("saving the queue", "err", err)
				time.AfterFunc(time.Second, p.poke)
			}
		}
	}
}

// poke wakes the writer.
func (p *persister) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// write stores what is pending; on failure it stays pending unless a
// newer record replaced it meanwhile.
func (p *persister) write() error {
	p.mu.Lock()
	batch := p.pending
	p.pending = map[string][]byte{}
	p.mu.Unlock()
	if len(batch) > 0 {
		p.writes.Add(1)
	}
	err := p.st.WriteJobs(batch)
	if err != nil {
		p.mu.Lock()
		for id, rec := range batch {
			if _, newer := p.pending[id]; !newer {
				p.pending[id] = rec
			}
		}
		p.mu.Unlock()
	}
	return err
}

// close stops the writer and writes what is left.
func (p *persister) close() error {
	close(p.stop)
	<-p.done
	return p.write()
}
