package tustest

import "sync"

// Faults describes what the fault layer does to traffic sent to Server.URL.
// DirectURL is never affected. The zero value injects nothing.
type Faults struct {
	// TCP level: a real proxy between client and tusd, so the client sees
	// genuine resets, EOFs and stalls.

	// CutEvery cuts each client connection after a random number of
	// client→server bytes in [CutEvery/2, CutEvery*3/2] (0 = never). The
	// client side is reset (SO_LINGER 0 then close → RST); the tusd side is
	// closed, so tusd keeps whatever body bytes it had read.
	CutEvery int64
	// CutSeed seeds the cut points; connection i uses a generator derived
	// from (CutSeed, i), so sequential tests are deterministic.
	CutSeed int64
	// RateLimit caps client→server traffic at this many bytes/second,
	// shared by all connections like one slow link (0 = unlimited).
	RateLimit int64
	// BlackholeAfter stops forwarding in both directions once a connection
	// has carried this many client→server bytes, keeping both sockets open
	// (a dead NAT entry). 0 = never.
	BlackholeAfter int64
	// BlackholeCount is how many connections get black-holed (0 means 1),
	// so the client can recover on a fresh connection.
	BlackholeCount int

	// HTTP level: answered by a middleware in front of tusd. Counters are
	// per request and consumed in this order for PATCH: 503, 429, 409, 423.
	// The request body is read and discarded before answering, and never
	// reaches tusd.

	Status5xxPATCH   int  // next N PATCHes → 503
	Status429PATCH   int  // next N PATCHes → 429 with Retry-After
	RetryAfter       int  // seconds, sent with 429 (also when 0)
	Conflict409PATCH int  // next N PATCHes → 409 (as for an offset mismatch)
	NotFoundHEAD     int  // next N HEADs → 404 (as if tusd forgot the upload)
	Locked423PATCH   int  // next N PATCHes → 423
	Status401        bool // every request → 401

	// NotTus makes the endpoint a plain web server: no tus headers, POST →
	// NotTusPOSTStatus (default 200) with an HTML body and no Location,
	// GET/HEAD → 404, OPTIONS → 200 with Allow, others → 405.
	NotTus           bool
	NotTusPOSTStatus int
}

// faultState is the live, mutable copy of Faults shared by the proxy and
// the middleware.
type faultState struct {
	mu    sync.Mutex
	f     Faults
	gen   uint64 // bumped by set, so connections re-evaluate thresholds
	holed int    // connections black-holed since the last set
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	s.f = f
	s.gen++
	s.holed = 0
	s.mu.Unlock()
}

func (s *faultState) get() (Faults, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f, s.gen
}

// claimHole reports whether one more connection may be black-holed.
func (s *faultState) claimHole() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.f.BlackholeCount
	if n <= 0 {
		n = 1
	}
	if s.f.BlackholeAfter <= 0 || s.holed >= n {
		return false
	}
	s.holed++
	return true
}

// take consumes one counted HTTP fault for method and returns its status
// code, or 0 to pass the request on.
func (s *faultState) take(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	dec := func(n *int) bool {
		if *n > 0 {
			*n--
			return true
		}
		return false
	}
	switch method {
	case "PATCH":
		switch {
		case dec(&s.f.Status5xxPATCH):
			return 503
		case dec(&s.f.Status429PATCH):
			return 429
		case dec(&s.f.Conflict409PATCH):
			return 409
		case dec(&s.f.Locked423PATCH):
			return 423
		}
	case "HEAD":
		if dec(&s.f.NotFoundHEAD) {
			return 404
		}
	}
	return 0
}
