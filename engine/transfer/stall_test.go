package transfer

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
)

// slowAnswer holds the answer to a PATCH for d after tusd has stored the
// body, like S3 assembling parts or a post-receive hook.
func slowAnswer(d time.Duration, patches *atomic.Int32) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPatch {
			patches.Add(1)
			w = &delayedWriter{ResponseWriter: w, d: d}
		}
		next.ServeHTTP(w, r)
	}
}

type delayedWriter struct {
	http.ResponseWriter
	d    time.Duration
	once bool
}

func (w *delayedWriter) WriteHeader(code int) {
	if !w.once {
		w.once = true
		time.Sleep(w.d) // the server's slowness is what is tested
	}
	w.ResponseWriter.WriteHeader(code)
}

func TestSlowAnswerIsNotAStall(t *testing.T) {
	needAcks(t)
	const size = 8<<20 + 1
	for _, tc := range []struct {
		name     string
		response time.Duration
		wantErr  string
	}{
		{"answer within the response timeout", 0, ""},
		{"no answer within it", 1500 * time.Millisecond, "did not answer within"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tustest.New(t)
			var patches atomic.Int32
			tg := Target{Endpoint: front(t, srv, slowAnswer(3*time.Second, &patches))}
			path, sha := tustest.RandomFile(t, "", "slow.bin", size, 5)
			c := newClient(t)
			c.StallTimeout = time.Second
			c.ResponseTimeout = tc.response
			cr, err := c.Create(ctx(t), tg, size)
			if err != nil {
				t.Fatal(err)
			}
			p := &progress{}
			off, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, p, nil)
			if tc.wantErr == "" {
				if err != nil || off != size {
					t.Fatalf("Send: %d, %v; want the whole file, no error", off, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) || fault.CodeOf(err) != fault.CodeServer || fault.KindOf(err) != fault.Transient {
				t.Fatalf("Send: %v (%s); want %q, transient", err, fault.CodeOf(err), tc.wantErr)
			}
			if patches.Load() != 1 || srv.BytesReceived() != size || p.sent.Load() != size {
				t.Fatalf("%d PATCHes, %d bytes received, %d reported sent; want 1 and %d", patches.Load(), srv.BytesReceived(), p.sent.Load(), size)
			}
			stored(t, srv, cr.URL, sha)
		})
	}
}

// TestStallStillCuts: a link that stops mid-body is still abandoned at
// the stall timeout.
func TestStallStillCuts(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{BlackholeAfter: 2 << 20}))
	const size = 16 << 20
	path, _ := tustest.RandomFile(t, "", "hole.bin", size, 6)
	c := newClient(t)
	c.StallTimeout = time.Second
	tg := Target{Endpoint: srv.URL}
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, nil)
	if err == nil || !strings.Contains(err.Error(), "stalled") || fault.CodeOf(err) != fault.CodeNetwork {
		t.Fatalf("Send: %v; want a stall", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the stall took %s to be noticed", d)
	}
}
