package transfer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/tus/tusd/v2/pkg/handler"
	"golang.org/x/exp/slog"

	"github.com/ferry-app/ferry/fault"
)

// middleware sees every request before tusd does; next is tusd.
type middleware func(w http.ResponseWriter, r *http.Request, next http.Handler)

// front serves tusd (srv's direct listener) on an origin of its own,
// behind mw, and returns its creation URL. tusd builds Locations from
// the Host header, which the proxy keeps, so uploads stay on the front.
func front(t *testing.T, srv *tustest.Server, mw middleware) string {
	t.Helper()
	hs := httptest.NewServer(frontHandler(t, srv, mw))
	t.Cleanup(hs.Close)
	return hs.URL + tustest.BasePath
}

func frontHandler(t *testing.T, srv *tustest.Server, mw middleware) http.Handler {
	up, err := url.Parse(srv.DirectURL)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: up.Scheme, Host: up.Host})
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded() // for tusd's https Locations behind a TLS front
		},
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			panic(http.ErrAbortHandler) // a cut stays a cut for the client
		},
	}
	if mw == nil {
		return rp
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mw(w, r, rp) })
}

// newClient is a Client with quick clocks for tests.
func newClient(t *testing.T) *Client {
	c := NewClient(nil, 2*time.Second)
	t.Cleanup(c.HTTP.CloseIdleConnections)
	return c
}

// progress records what Send reports.
type progress struct {
	sent     atomic.Int64
	accepted atomic.Int64
}

func (p *progress) Sent(n int64)                 { p.sent.Add(n) }
func (p *progress) Accepted(off int64, _ string) { p.accepted.Store(off) }

// guardCount is a guard that counts its calls and may refuse.
type guardCount struct {
	n   atomic.Int32
	err error
}

func (g *guardCount) check() error {
	g.n.Add(1)
	return g.err
}

// stored checks that the upload at uploadURL holds exactly the file.
func stored(t *testing.T, srv *tustest.Server, uploadURL, sha string) {
	t.Helper()
	u, err := url.Parse(uploadURL)
	if err != nil {
		t.Fatal(err)
	}
	up, ok := srv.Upload(path.Base(u.Path))
	if !ok {
		t.Fatalf("no upload %s on the server", uploadURL)
	}
	if !up.Done || up.SHA256 != sha {
		t.Fatalf("upload %s: done %v, %d of %d bytes, sha %s; want %s", uploadURL, up.Done, up.Offset, up.Size, up.SHA256, sha)
	}
}

// patchLog records the PATCH requests a front saw.
type patchLog struct {
	mu    sync.Mutex
	sizes []int64
	hdrs  []http.Header
}

func (l *patchLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Method == http.MethodPatch {
		l.sizes = append(l.sizes, r.ContentLength)
	}
	l.hdrs = append(l.hdrs, r.Header.Clone())
}

func (l *patchLog) patches() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int64(nil), l.sizes...)
}

func (l *patchLog) headers() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]http.Header(nil), l.hdrs...)
}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// resume does what the engine does after a failed request: HEAD, then
// Send from the server's offset, and again after an answer that only says
// an earlier request got in the way: a 409 (the server may still be storing
// the cut request's bytes) or tusd's 400 ERR_UPLOAD_INTERRUPTED (see
// interrupted). It returns the offset it last resumed at.
func resume(t *testing.T, c *Client, tg Target, upload, path string, size int64, guard func() error) int64 {
	t.Helper()
	for try := 0; ; try++ {
		off, _, err := c.Offset(ctx(t), tg, upload)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Send(ctx(t), tg, upload, path, off, size, &progress{}, guard)
		if err == nil {
			return off
		}
		if fault.KindOf(err) != fault.Conflict && !interrupted(err) || try == 5 {
			t.Fatalf("resume at %d: %v", off, err)
		}
		t.Logf("resume at %d: %v; asking the server again", off, err)
	}
}

// interrupted says tusd ended the request because another one for the
// same upload wanted its lock. A request the client abandoned (a guard's
// refusal, a stall) may still be on its way through a proxy, or queued in
// tusd, and reach the lock after the resume's PATCH took it: tusd then
// ends the newer request with 400 ERR_UPLOAD_INTERRUPTED. The engine
// treats that as transient (HEAD, then on); so do the tests.
func interrupted(err error) bool {
	var e *fault.Error
	return errors.As(err, &e) && e.Kind == fault.Transient && e.Status == http.StatusBadRequest
}

// tusdSays is a tusd option that sends a token to ch (while it has room)
// each time tusd logs msg (e.g. "ChunkWriteComplete": it has stored what it read of a PATCH):
// tusd's own word that it did something, for a test to wait on.
func tusdSays(msg string, ch chan<- struct{}) tustest.Option {
	return tustest.WithTusdConfig(func(c *handler.Config) { c.Logger = slog.New(&saying{msg: msg, ch: ch}) })
}

type saying struct {
	msg string
	ch  chan<- struct{}
}

func (s *saying) Enabled(context.Context, slog.Level) bool { return true }
func (s *saying) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *saying) WithGroup(string) slog.Handler            { return s }
func (s *saying) Handle(_ context.Context, r slog.Record) error {
	if r.Message == s.msg {
		select {
		case s.ch <- struct{}{}:
		default: // nobody waits for that many: tusd must not block
		}
	}
	return nil
}

// needAcks skips a test that watches acknowledged bytes where the system
// does not tell them (AcksKnown).
func needAcks(t *testing.T) {
	t.Helper()
	if !AcksKnown() {
		t.Skip("this system does not tell a connection's acknowledged bytes (Windows before 10 1703; Wine has no SIO_TCP_INFO)")
	}
}
