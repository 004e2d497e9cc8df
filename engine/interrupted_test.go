package engine

import (
	"io"
	"net/http"
	"path"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// lateRequest makes tusd end the first PATCH the way a request the client
// gave up on does when it reaches tusd late (through a proxy, say): once
// the PATCH's bytes flow, a HEAD for the same upload goes straight to
// tusd, whose lock hand-over stops the PATCH with 400
// ERR_UPLOAD_INTERRUPTED. status gets what that PATCH was answered.
func lateRequest(t *testing.T, srv *atomic.Pointer[tustest.Server], status *atomic.Int32) func(http.Handler) http.Handler {
	var once sync.Once
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			first := false
			if r.Method == http.MethodPatch {
				once.Do(func() { first = true })
			}
			if !first {
				next.ServeHTTP(w, r)
				return
			}
			head := func() {
				req, _ := http.NewRequest(http.MethodHead, srv.Load().DirectURL+path.Base(r.URL.Path), nil)
				req.Header.Set("Tus-Resumable", "1.0.0")
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				} else {
					t.Errorf("the late HEAD: %v", err)
				}
			}
			r.Body = &onFirstBytes{ReadCloser: r.Body, fn: func() { go head() }}
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			status.Store(int32(sw.code))
		})
	}
}

// onFirstBytes calls fn once, when the first bytes of a body are read.
type onFirstBytes struct {
	io.ReadCloser
	fn   func()
	once sync.Once
}

func (b *onFirstBytes) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.once.Do(b.fn)
	}
	return n, err
}

// statusWriter notes the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// TestResumeRefusedForANewerRequestGoesOn: tusd ending a PATCH because
// another request took the upload's lock is no failure: the job asks the
// server's offset and sends only the rest, into the same upload.
func TestResumeRefusedForANewerRequestGoesOn(t *testing.T) {
	var status atomic.Int32
	var self atomic.Pointer[tustest.Server] // the middleware needs tusd's own URL, known once it runs
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}), tustest.WithMiddleware(lateRequest(t, &self, &status)))
	self.Store(srv)
	e := newEngine(t)
	e.Start()
	const size = 2 << 20
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "late.mp4", size, 8)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, e, j.ID, 30*time.Second, Done, Failed)
	if got.State != Done {
		t.Fatalf("job %s: %s", got.State, got.Error)
	}
	if status.Load() != http.StatusBadRequest {
		t.Fatalf("the first PATCH was answered %d; the test wants tusd's 400 ERR_UPLOAD_INTERRUPTED", status.Load())
	}
	assertArrived(t, srv, "late.mp4", sha, 1)
	if n := srv.BytesReceived(); n != size {
		t.Fatalf("tusd read %d bytes for a %d-byte file: bytes it held were sent again", n, size)
	}
}
