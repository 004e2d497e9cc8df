package watch

import (
	"time"

	"github.com/ferry-app/ferry/bus"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch/settings"
)

// State is how a watch folder is doing.
type State int

const (
	Watching State = iota // events and rescans find new files
	Paused                // set aside by the user: nothing is looked at
	Missing               // the folder is not there (deleted, its disk unmounted); watched again when it is back
	Failing               // something else stops it: Status.Problem says what
)

var stateNames = [...]string{"watching", "paused", "missing", "error"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "state"
	}
	return stateNames[s]
}

// Status is one watch folder as a window shows it.
type Status struct {
	Dir      string
	Settings settings.WatchFolder // as in force: destination (secrets left out), filters, after-upload
	State    State
	Problem  string // Missing, Failing: what is wrong and what happens next, a sentence
	// Warnings are what the folder works around while it watches: a
	// sub-folder it cannot read, the system's limit on watches. Sentences.
	Warnings []string
	Scanning bool      // a walk of the folder is under way
	LastScan time.Time // when the last full walk ended

	Settling int // files waiting to be still
	// SettlingFirst is the settling file due first ("" when none waits),
	// and SettlingDue when it is queued if it stays still until then.
	SettlingFirst string
	SettlingDue   time.Time
	Queued        int   // handed to the engine, not finished
	Uploaded      int   // uploaded since the folder was added (a restart keeps the count)
	Bytes         int64 // the sizes of the files uploaded, summed (kept like Uploaded)
	Failed        int   // failed (a retry in the queue takes them up again)
}

// Found is every file the folder has had on its hands since it was added.
func (s Status) Found() int { return s.Settling + s.Queued + s.Uploaded + s.Failed }

// Kind says what an Event is about.
type Kind int

const (
	Started   Kind = iota // the folder is watched (at start, or back after it was missing)
	Scanned               // a walk after Started ended: Count files there, Before of them uploaded before
	Queued                // a still file was handed to the engine (Job)
	Uploaded              // its upload is done (Job)
	Moved                 // moved after its upload, to To
	Deleted               // deleted after its upload
	Failed                // a file could not be queued, uploaded, moved or deleted (Msg)
	Cancelled             // its job was cancelled in the queue: it is left alone until it changes
	Trouble               // the folder has a problem or a warning (Msg)
)

var kindNames = [...]string{"started", "scanned", "queued", "uploaded", "moved", "deleted", "failed", "cancelled", "trouble"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "event"
	}
	return kindNames[k]
}

// Event is one thing a watch folder did.
type Event struct {
	Seq    uint64 // one more than the watcher's event before it
	Kind   Kind
	Dir    string     // the watch folder
	Path   string     // the file, or for Trouble the sub-folder concerned ("" for the folder itself)
	To     string     // Moved: the new path
	Job    engine.Job // Queued, Uploaded, Failed (when a job failed), Cancelled
	Msg    string     // Failed, Trouble: a sentence
	Count  int        // Scanned: files to upload there (uploaded before or not)
	Before int        // Scanned: of them, uploaded before
}

// Subscription receives a watcher's events until Close. Events are
// dropped, never waited for, when C is full: Missed counts them.
type Subscription = bus.Sub[Event]

func newHub() *bus.Bus[Event] {
	return &bus.Bus[Event]{Stamp: func(ev *Event, seq uint64) { ev.Seq = seq }}
}
