package engine

import (
	"time"

	"github.com/ferry-app/ferry/fault"
)

// Totals sum up the queue, computed once per tick for every front-end
// (the CLI's total bar, the window's footer and counts).
//
// The shape is rclone's accounting: one counter of bytes sent, which only
// grows (a job that finished between two ticks still counts), turned into
// a speed once per tick.
type Totals struct {
	FilesLeft int     // queued, uploading, waiting or paused
	BytesLeft int64   // of those files
	Paused    int64   // of BytesLeft, in paused files: not counted in ETA
	Sent      int64   // bytes handed to the network by this engine, all jobs, since it opened
	Speed     float64 // bytes/s of all uploads together: Sent's rate, smoothed over a few seconds
	// ETA is when the files left (paused ones aside) should be up, never
	// sooner than the slowest upload's own; 0 when unknown.
	ETA time.Duration
	// Connecting counts the uploads that have not sent a byte since their
	// attempt began: asking the server, creating the upload, reconnecting.
	Connecting int
	ByState    [len(stateNames)]int
}

// Count is the number of jobs in a state.
func (t Totals) Count(s State) int { return t.ByState[s] }

// Holdup says, in a few words, why no bytes move while files are left
// ("starting…", "stalled", "waiting to retry", "queued", "paused"); ""
// when nothing is left. Every front-end says it the same way.
func (t Totals) Holdup() string {
	up := t.Count(Uploading)
	switch {
	case up > 0 && t.Connecting >= up:
		// Asking the server, creating uploads, reconnecting: no byte yet.
		return "starting…"
	case up > 0:
		// Bytes moved this attempt, none lately: a stalled link, or a
		// server busy with what it got.
		return "stalled"
	case t.Count(Waiting) > 0:
		return "waiting to retry"
	case t.Count(Queued) > 0:
		return "queued"
	case t.Count(Paused) > 0:
		return "paused"
	}
	return ""
}

// Snapshot is the whole queue as of event Seq: events with a Seq up to it
// are already reflected.
type Snapshot struct {
	Seq    uint64
	Jobs   []Job // in the order they were added
	Totals Totals
	Halted *fault.Error // why the queue cannot run, nil when it can
}

// Snapshot returns every job, the totals and the sequence number of the
// newest event they reflect.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Snapshot{Seq: e.bus.Seq(), Jobs: make([]Job, 0, len(e.jobs)), Totals: e.totals, Halted: e.halted}
	for _, j := range e.order {
		if j != nil {
			s.Jobs = append(s.Jobs, j.view())
		}
	}
	return s
}

// Job returns one job's snapshot.
func (e *Engine) Job(id string) (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	if !ok {
		return Job{}, false
	}
	return j.view(), true
}

// Totals returns the queue's totals as of the last tick.
func (e *Engine) Totals() Totals {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.totals
}

// account keeps the totals' per-job parts up to date after a change to j:
// O(1), so no tick or command walks the queue. Caller holds e.mu.
func (e *Engine) account(j *job) {
	if j.counted {
		e.totals.ByState[j.countedAs]--
		if left(j.countedAs) {
			e.totals.FilesLeft--
		}
	}
	e.totals.BytesLeft -= j.left
	if j.countedAs == Paused {
		e.totals.Paused -= j.left
	}
	j.left, j.counted = 0, false
	if j.removed {
		return
	}
	j.counted, j.countedAs = true, j.State
	e.totals.ByState[j.State]++
	if left(j.State) {
		e.totals.FilesLeft++
		j.left = max(j.Size-j.Offset, 0)
		e.totals.BytesLeft += j.left
		if j.State == Paused {
			e.totals.Paused += j.left
		}
	}
}

// left: a job in this state still has bytes to send.
func left(s State) bool { return s.Active() || s == Paused }

// Seq is the sequence number of the newest event. A subscriber that
// missed events reads Seq, then the jobs it follows (Job: each reflects
// every event up to Seq), and drops the events it still holds with a Seq
// up to it: its picture is then the engine's, without a Snapshot's copy
// of every job.
func (e *Engine) Seq() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bus.Seq()
}
