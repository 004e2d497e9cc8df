package engine

import (
	"github.com/ferry-app/ferry/bus"
	"github.com/ferry-app/ferry/fault"
)

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
	Job    Job          // JobAdded, JobChanged, JobProgress, JobRemoved
	Totals Totals       // TotalsChanged
	Err    *fault.Error // QueueHalted
}

// Subscription receives events until Close; Missed says how many it
// missed because its buffer was full: its picture is stale, and a
// Snapshot (or Seq and the jobs it follows) puts it right.
type Subscription = bus.Sub[Event]

func newBus() *bus.Bus[Event] {
	return &bus.Bus[Event]{Stamp: func(ev *Event, seq uint64) { ev.Seq = seq }}
}

// keeps is the filter of a mask.
func (m EventMask) keeps(ev Event) bool { return m&ev.Type.Mask() != 0 }
