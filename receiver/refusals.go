package receiver

import (
	"fmt"
	"sync"
	"time"
)

// refusals says on the console why requests are turned away or failed, at
// most once a minute for each kind (kinds are Ferry's own few words, never
// the client's), so no client can flood the console whatever it sends, a
// full disk included. The next line of a kind says how many were left
// unsaid.
type refusals struct {
	mu    sync.Mutex
	kinds map[string]*refusalKind
}

type refusalKind struct {
	said   time.Time
	unsaid int
}

// refusalEvery is how often a kind of refusal is said.
const refusalEvery = time.Minute

func (r *refusals) say(logf func(string, ...any), kind, format string, args ...any) {
	r.mu.Lock()
	if r.kinds == nil {
		r.kinds = map[string]*refusalKind{}
	}
	k := r.kinds[kind]
	if k == nil {
		k = &refusalKind{}
		r.kinds[kind] = k
	}
	now := time.Now()
	if !k.said.IsZero() && now.Sub(k.said) < refusalEvery {
		k.unsaid++
		r.mu.Unlock()
		return
	}
	unsaid := k.unsaid
	k.said, k.unsaid = now, 0
	r.mu.Unlock()
	line := fmt.Sprintf(format, args...)
	if unsaid > 0 {
		line += fmt.Sprintf(" (and %d more like it since the last such line)", unsaid)
	}
	logf("%s", line)
}
