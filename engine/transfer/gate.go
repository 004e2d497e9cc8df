package transfer

import (
	"os"
	"sync"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// checkEvery is how often a body in flight looks at its file: a file
// replaced or still growing stops the request within seconds, not at its
// last byte after gigabytes of stale data.
const checkEvery = 2 * time.Second

// errFileChanged stops a request whose file changed under it.
var errFileChanged = &fault.Error{Kind: fault.Transient, Code: fault.CodeFileChanged, Msg: "The file changed while it was sent"}

// gate is what the bodies of one request share (a redirect or net/http's
// retry reads the body again): the caller's check before the file's final
// byte, and a look at the file every few seconds.
type gate struct {
	last func() error // asked before the final byte; nil: none
	path string

	mu      sync.Mutex
	err     error       // the first refusal, returned by every body
	base    os.FileInfo // the file as first opened for this request
	checked time.Time
}

// opened notes the file a body reads, the first time.
func (g *gate) opened(f *os.File) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.base == nil {
		if fi, err := f.Stat(); err == nil {
			g.base, g.checked = fi, time.Now()
		}
	}
}

// failed is the refusal that ended the request, if any.
func (g *gate) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// look compares the path with the file first opened, at most every
// checkEvery: a new file in its place, another size or mtime is a change.
func (g *gate) look() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil || g.base == nil || time.Since(g.checked) < checkEvery {
		return g.err
	}
	g.checked = time.Now()
	fi, err := os.Stat(g.path)
	if err != nil || !os.SameFile(fi, g.base) || fi.Size() != g.base.Size() || !fi.ModTime().Equal(g.base.ModTime()) {
		g.err = errFileChanged
	}
	return g.err
}

// final asks the caller's check, once per request.
func (g *gate) final() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = g.last()
	}
	return g.err
}

// lastByte holds one body's final byte back until the gate agrees, and
// has the gate look at the file as the body goes.
type lastByte struct {
	g      *gate
	passed bool
}

// pending says the final check has yet to be asked.
func (l *lastByte) pending() bool { return l.g.last != nil && !l.passed }

// allow says how many of want bytes may go now, with left in the body.
func (l *lastByte) allow(want, left int64) (int64, error) {
	if err := l.g.look(); err != nil {
		return 0, err
	}
	want = min(want, left)
	if l.g.last == nil || l.passed || want < left {
		return want, nil
	}
	if left > 1 {
		return left - 1, nil
	}
	if err := l.g.final(); err != nil {
		return 0, err
	}
	l.passed = true
	return left, nil
}
