package receiver

import (
	"os"
	"path/filepath"
	"sync"
)

// tracker knows which uploads have requests running (so the sweeper never
// removes one mid-request), which client-named ids are being created (so
// one id is created once), and how many bytes unfinished uploads still
// expect (so creation can say no before the disk fills).
type tracker struct {
	mu      sync.Mutex
	active  map[string]int   // requests running, per upload id
	gone    map[string]bool  // ids the sweeper is removing
	making  map[string]bool  // client-named ids being created
	pending map[string]int64 // Upload-Length of each unfinished upload
}

func newTracker() *tracker {
	return &tracker{active: map[string]int{}, gone: map[string]bool{}, making: map[string]bool{}, pending: map[string]int64{}}
}

// enter notes a request for id; false if the sweeper is removing it.
func (t *tracker) enter(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gone[id] {
		return false
	}
	t.active[id]++
	return true
}

func (t *tracker) leave(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active[id]--; t.active[id] <= 0 {
		delete(t.active, id)
	}
}

// claim reserves an idle upload for removal; false if a request has it.
func (t *tracker) claim(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active[id] > 0 || t.gone[id] {
		return false
	}
	t.gone[id] = true
	return true
}

func (t *tracker) unclaim(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.gone, id)
}

// reserve holds id for a creation; false if another creation holds it.
func (t *tracker) reserve(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.making[id] {
		return false
	}
	t.making[id] = true
	return true
}

func (t *tracker) release(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.making, id)
}

func (t *tracker) creating(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.making[id]
}

func (t *tracker) pend(id string, size int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending[id] = size
}

func (t *tracker) settle(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pending, id)
}

// owed is how many bytes unfinished uploads have yet to write into work.
func (t *tracker) owed(work string) int64 {
	t.mu.Lock()
	sizes := make(map[string]int64, len(t.pending))
	for id, n := range t.pending {
		sizes[id] = n
	}
	t.mu.Unlock()
	var sum int64
	for id, n := range sizes {
		if st, err := os.Stat(filepath.Join(work, id)); err == nil {
			n -= st.Size()
		}
		sum += max(n, 0)
	}
	return sum
}
