// Package tustest runs a real tusd v2 server in-process for tests, with a
// fault layer in front of it (a TCP proxy plus an HTTP middleware) so that
// Ferry's tus client can be exercised against genuine protocol behaviour
// under resets, stalls, slow links and error answers.
//
// Layout of one Server:
//
//	client ──► URL:       TCP fault proxy ──► HTTP faults ──► auth ──► tusd
//	client ──► DirectURL:                                     auth ──► tusd
//
// Both paths share one tusd handler and one filestore, so an upload created
// through one can be continued or inspected through the other.
package tustest

import (
	"io"
	"log"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	"golang.org/x/exp/slog"

	"github.com/ferry-app/ferry/internal/listener"
	"github.com/ferry-app/ferry/internal/wine"
)

// BasePath is where tusd is mounted on both listeners.
const BasePath = "/files/"

// tusd keeps a goroutine per request alive for this long after the request
// ends (handler.newDelayedContext). The filestore does not need the grace
// period, so keep it short: Close can then wait it out and leave no
// goroutines behind.
const graceTimeout = 10 * time.Millisecond

// Server is a running tusd with a fault layer. Create it with New.
type Server struct {
	URL       string // creation endpoint through the fault layer, e.g. http://127.0.0.1:PORT/files/
	DirectURL string // creation endpoint without faults (auth still applies)
	Dir       string // filestore directory: ID.info (JSON) and ID (data) per upload

	// Tusd is the underlying handler, for tests that want its channels or
	// metrics. Do not replace it.
	Tusd *handler.Handler

	t      TB
	token  string
	faults faultState
	proxy  *proxy
	direct *http.Server
	faulty *http.Server

	inflight inflight
	serving  sync.WaitGroup // the two Serve loops
	created  atomic.Int64
	termed   atomic.Int64
	received atomic.Int64

	mu   sync.Mutex
	seq  map[string]int // upload id -> creation order
	reqs []string

	closeOnce sync.Once
}

type config struct {
	faults Faults
	token  string
	tune   []func(*handler.Config)
	mw     []func(http.Handler) http.Handler
}

// Option configures New.
type Option func(*config)

// WithFaults sets the initial faults (see also Server.SetFaults).
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithAuth makes every request (on URL and DirectURL) need
// "Authorization: Bearer <token>"; others get 401 with a tus-style text body.
func WithAuth(token string) Option { return func(c *config) { c.token = token } }

// WithTusdConfig lets a test adjust tusd's config (e.g. MaxSize,
// NetworkTimeout, AcquireLockTimeout) before the handler is built.
func WithTusdConfig(fn func(*handler.Config)) Option {
	return func(c *config) { c.tune = append(c.tune, fn) }
}

// WithMiddleware puts a handler between the fault layer and tusd on URL
// (not DirectURL), for a test's own misbehaviour: a server that lies about
// offsets, answers slowly, or speaks a dialect. Requests are still logged
// and counted as usual.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) { c.mw = append(c.mw, mw) }
}

// New starts tusd with a filestore in wine.TempDir(t) and a memorylocker, behind
// the fault layer, all on 127.0.0.1. It is stopped by t.Cleanup.
func New(t TB, opts ...Option) *Server {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}

	s := &Server{t: t, token: cfg.token, Dir: wine.TempDir(t), seq: map[string]int{}}
	s.faults.set(cfg.faults)

	composer := handler.NewStoreComposer()
	fs := filestore.New(s.Dir)
	fs.UseIn(composer)
	composer.UseCore(countingStore{FileStore: fs, s: s}) // after UseIn, which set the plain store as core
	composer.UseLocker(syncLocker{memorylocker.New()})   // see interrupt.go

	hc := handler.Config{
		BasePath:                         BasePath,
		StoreComposer:                    composer,
		Logger:                           slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.Level(100)})),
		GracefulRequestCompletionTimeout: graceTimeout,
	}
	for _, fn := range cfg.tune {
		fn(&hc)
	}
	h, err := handler.NewHandler(hc)
	if err != nil {
		t.Fatalf("tustest: tusd handler: %v", err)
	}
	s.Tusd = h

	// tusd's routed handler routes on the path below BasePath (its docs mount
	// it with StripPrefix); BasePath in its config only builds Locations.
	mux := http.NewServeMux()
	mux.Handle(BasePath, http.StripPrefix(BasePath, s.countBody(h)))

	directLn := listen(t)
	faultyLn := listen(t)
	s.direct = newHTTPServer(s.front(false, mux))
	var inner http.Handler = mux
	for _, mw := range cfg.mw {
		inner = mw(inner)
	}
	s.faulty = newHTTPServer(s.front(true, inner))
	for _, sv := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{s.direct, directLn}, {s.faulty, faultyLn}} {
		s.serving.Add(1)
		go func() {
			defer s.serving.Done()
			sv.srv.Serve(sv.ln)
		}()
	}

	s.proxy = newProxy(listen(t), &s.faults, faultyLn.Addr().String())
	s.URL = "http://" + s.proxy.ln.Addr().String() + BasePath
	s.DirectURL = "http://" + directLn.Addr().String() + BasePath

	t.Cleanup(s.Close)
	return s
}

func listen(t TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("tustest: listen: %v", err)
	}
	// A client killed mid-connect must not stop the server (Wine).
	return listener.Steady(ln, nil)
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		// Cut connections make net/http log noise; tests read Requests instead.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// Close stops the proxy and both HTTP servers and waits for their
// goroutines (and tusd's request handlers) to finish. Safe to call twice.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.proxy.close()
		s.faulty.Close()
		s.direct.Close()
		s.serving.Wait()
		if !s.inflight.wait(10 * time.Second) {
			s.t.Logf("tustest: tusd handlers still running 10s after Close")
		}
		// Let tusd's delayed-context goroutines (graceTimeout) run out.
		time.Sleep(3 * graceTimeout)
	})
}

// Created is the number of uploads tusd's store really created (POST
// creations, including concatenation finals). It is counted in the store,
// so a creation-with-upload whose body was cut still counts.
func (s *Server) Created() int { return int(s.created.Load()) }

// Terminated is the number of DELETE requests answered 204.
func (s *Server) Terminated() int { return int(s.termed.Load()) }

// BytesReceived is the total request body bytes tusd read from PATCH
// requests (and creation-with-upload POSTs). Bodies discarded by injected
// faults are not included, so this measures bytes the client had to
// (re-)send to tusd.
func (s *Server) BytesReceived() int64 { return s.received.Load() }

// Requests returns a copy of the request log: "METHOD path status", one
// entry per request on either listener, including fault answers.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// SetFaults replaces the faults (and resets all fault counters) at run time.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

func (s *Server) noteCreated(id string) {
	s.mu.Lock()
	s.seq[id] = len(s.seq)
	s.mu.Unlock()
	s.created.Add(1)
}

func (s *Server) order(ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sort.SliceStable(ids, func(i, j int) bool {
		a, aok := s.seq[ids[i]]
		b, bok := s.seq[ids[j]]
		if aok != bok {
			return aok // known before unknown
		}
		if !aok {
			return ids[i] < ids[j]
		}
		return a < b
	})
}
