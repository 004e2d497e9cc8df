package tustest

import "net"

// Flaky is the TCP fault layer on its own, in front of any server: for
// trying Ferry by hand on a bad link (tools/flaky).
type Flaky struct {
	p *proxy
}

// NewFlaky listens on ln and forwards to target with the TCP-level faults
// of f (CutEvery, CutSeed, RateLimit, BlackholeAfter, BlackholeCount).
func NewFlaky(ln net.Listener, target string, f Faults) *Flaky {
	fs := &faultState{}
	fs.set(f)
	return &Flaky{p: newProxy(ln, fs, target)}
}

// Connections is how many connections the layer has carried.
func (f *Flaky) Connections() uint64 { return f.p.nconn.Load() }

// Forwarded is how many client→server bytes reached the server.
func (f *Flaky) Forwarded() int64 { return f.p.fwd.Load() }

// Close stops the layer and its connections.
func (f *Flaky) Close() { f.p.close() }
