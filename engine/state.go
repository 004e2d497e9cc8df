package engine

import "fmt"

// State is where a job is in its life.
//
//	queued → uploading → done
//	   ↑  ↘      ↓  ↘
//	   │   paused ←  waiting (transient error: backoff, then uploading)
//	   │             ↘
//	   └──── retry ── failed (permanent)
//	cancelled (by the user)
type State int

const (
	Queued State = iota
	Uploading
	Waiting
	Paused
	Done
	Failed
	Cancelled
)

var stateNames = [...]string{"queued", "uploading", "waiting", "paused", "done", "failed", "cancelled"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// ParseState is String's inverse.
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if n == name {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown job state %q", name)
}

// MarshalText stores states by name, so records survive reordering.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state name.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	*s = v
	return err
}

// Active states hold (or wait for) a transfer slot.
func (s State) Active() bool { return s == Queued || s == Uploading || s == Waiting }

// Terminal states need a person (retry) or nothing more.
func (s State) Terminal() bool { return s == Done || s == Failed || s == Cancelled }

// legal lists the transitions the lifecycle allows.
var legal = map[State][]State{
	// A job found finished already (a completion record) becomes done
	// from any state it can be added again in.
	Queued:    {Uploading, Paused, Failed, Cancelled, Done},
	Uploading: {Done, Waiting, Paused, Failed, Cancelled, Queued},
	Waiting:   {Uploading, Paused, Failed, Cancelled, Queued},
	Paused:    {Queued, Cancelled, Done},
	Failed:    {Queued, Cancelled, Done},
	Done:      {Queued},
	Cancelled: {Queued, Done},
}

func canMove(from, to State) bool {
	for _, s := range legal[from] {
		if s == to {
			return true
		}
	}
	return false
}
