package engine

import "container/heap"

// The scheduler's structures: O(log n) per job started, O(1) per job
// removed, however long the queue.

// readyHeap holds startable jobs, oldest first. Entries are checked when
// popped (a job may have been paused or removed since it was pushed).
type readyHeap []*job

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(a, b int) bool { return h[a].seq < h[b].seq }
func (h readyHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *readyHeap) Push(x any)        { *h = append(*h, x.(*job)) }
func (h *readyHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

// Two lanes share the slots. Big files take the concurrency the user set;
// files of at most smallFile are bound by round trips, not bandwidth, and
// run SmallSlots at once in a lane of their own: a thousand photos do not
// wait behind a film, nor a film behind them.
const (
	bigLane = iota
	smallLane
)

// SmallSlots is how many small files upload at once, whatever the
// concurrency the user set for big ones.
const SmallSlots = 16

// lane is one share of the slots: its startable jobs and its count.
type lane struct {
	ready    readyHeap
	running  int // jobs of this lane with a goroutine
	sleeping int // of which waiting out a backoff, their slot given up
}

func laneOf(size int64) uint8 {
	if size <= smallFile {
		return smallLane
	}
	return bigLane
}

// slots is how many of the lane's jobs may run at once. Caller holds e.mu.
func (e *Engine) slots(l uint8) int {
	if l == smallLane {
		return SmallSlots
	}
	return e.concurrency
}

// free says the lane has a slot for one more job. Caller holds e.mu.
func (e *Engine) free(l uint8) bool {
	ln := &e.lanes[l]
	return ln.running-ln.sleeping < e.slots(l)
}

// offer makes a job a candidate for a slot if it can run. Caller holds e.mu.
func (e *Engine) offer(j *job) {
	if j.ready || !j.startable() {
		return
	}
	j.ready, j.lane = true, laneOf(j.Size)
	heap.Push(&e.lanes[j.lane].ready, j)
}

// schedule starts the oldest startable jobs of each lane while it has
// free slots. A job waiting out a backoff (a destination that is down)
// does not hold one, so it never stops uploads to other destinations.
// Caller holds e.mu.
func (e *Engine) schedule() {
	if e.closed || e.halted != nil {
		return
	}
	for l := range e.lanes {
		ln := &e.lanes[l]
		for e.free(uint8(l)) && ln.ready.Len() > 0 {
			j := heap.Pop(&ln.ready).(*job)
			j.ready = false
			if !j.startable() {
				continue
			}
			e.start(j)
		}
	}
}

// appendOrder puts a new job at the end of the add order. Caller holds e.mu.
func (e *Engine) appendOrder(j *job) {
	j.pos = int32(len(e.order))
	e.order = append(e.order, j)
}

// dropOrder takes a job out of the add order in O(1): its place becomes a
// hole, and the holes are swept once they are half the list (amortised
// O(1) per removal). Caller holds e.mu.
func (e *Engine) dropOrder(j *job) {
	e.order[j.pos] = nil
	e.holes++
	if e.holes < 64 || e.holes < len(e.order)/2 {
		return
	}
	kept := e.order[:0]
	for _, o := range e.order {
		if o != nil {
			o.pos = int32(len(kept))
			kept = append(kept, o)
		}
	}
	clear(e.order[len(kept):])
	e.order, e.holes = kept, 0
}
