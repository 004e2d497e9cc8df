package transfer

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
	"golang.org/x/time/rate"
)

// cloudflare is tusd behind Cloudflare Stream's chunk rule: every PATCH
// but the one that completes the upload is a multiple of 256 KiB and at
// least 5 MiB. cutAt, when set, cuts the next PATCH after that many bytes
// (tusd keeps them, as it does when a link drops).
func cloudflare(t *testing.T, srv *tustest.Server, log *patchLog, cutAt *atomic.Int64) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		log.add(r)
		off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
		n := r.ContentLength
		if off+n != uploadLength(t, srv, r.URL.Path) && (n%(256<<10) != 0 || n < 5<<20) {
			io.Copy(io.Discard, r.Body)
			http.Error(w, fmt.Sprintf("chunk of %d bytes is not a multiple of 256 KiB of at least 5 MiB", n), http.StatusBadRequest)
			return
		}
		if k := cutAt.Swap(0); k > 0 {
			r.Body = &cutBody{ReadCloser: r.Body, left: k}
		}
		next.ServeHTTP(w, r)
	}
}

func uploadLength(t *testing.T, srv *tustest.Server, path string) int64 {
	req, _ := http.NewRequest(http.MethodHead, srv.DirectURL+strings.TrimPrefix(path, tustest.BasePath), nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return -1
	}
	res.Body.Close()
	n, _ := strconv.ParseInt(res.Header.Get("Upload-Length"), 10, 64)
	return n
}

// cutBody ends a request body early, like a dropped link.
type cutBody struct {
	io.ReadCloser
	left int64
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n, err := b.ReadCloser.Read(p[:min(int64(len(p)), b.left)])
	b.left -= int64(n)
	return n, err
}

func TestChunksKeepCloudflareRules(t *testing.T) {
	const chunk = 5 << 20
	t.Run("3 MB in one PATCH", func(t *testing.T) {
		srv := tustest.New(t)
		var log patchLog
		var noCut atomic.Int64
		tg := Target{Endpoint: front(t, srv, cloudflare(t, srv, &log, &noCut)), ChunkSize: chunk}
		path, sha := tustest.RandomFile(t, "", "a.mp4", 3_000_000, 2)
		c := newClient(t)
		cr, err := c.Create(ctx(t), tg, 3_000_000)
		if err != nil {
			t.Fatal(err)
		}
		g := &guardCount{}
		if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, 3_000_000, &progress{}, g.check); err != nil {
			t.Fatal(err)
		}
		stored(t, srv, cr.URL, sha)
		if got := log.patches(); len(got) != 1 || g.n.Load() != 1 || srv.Created() != 1 {
			t.Fatalf("PATCHes %v, guard asked %d times, %d uploads; want one of 3000000, once, one", got, g.n.Load(), srv.Created())
		}
	})
	t.Run("resume after a cut mid-chunk", func(t *testing.T) {
		kept := make(chan struct{}, 16)
		srv := tustest.New(t, tusdSays("ChunkWriteComplete", kept))
		var log patchLog
		var cut atomic.Int64
		cut.Store(1<<20 + 12345)
		tg := Target{Endpoint: front(t, srv, cloudflare(t, srv, &log, &cut)), ChunkSize: chunk}
		const size = 12<<20 + 777
		path, sha := tustest.RandomFile(t, "", "b.mp4", size, 3)
		c := newClient(t)
		cr, err := c.Create(ctx(t), tg, size)
		if err != nil {
			t.Fatal(err)
		}
		g := &guardCount{}
		if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, g.check); err == nil {
			t.Fatal("the cut went unnoticed")
		}
		// The client hears of the cut before tusd has read what reached it;
		// a HEAD now would make tusd stop reading (its lock hand-over) and
		// find nothing stored, leaving no odd offset to resume at.
		select {
		case <-kept:
		case <-ctx(t).Done():
			t.Fatal("tusd never stored the cut request's bytes")
		}
		off := resume(t, c, tg, cr.URL, path, size, g.check)
		if off == 0 || off%(256<<10) == 0 {
			t.Fatalf("the cut left offset %d; the test wants an odd one", off)
		}
		stored(t, srv, cr.URL, sha)
		got := log.patches()
		for i, n := range got[:len(got)-1] {
			if n != chunk {
				t.Errorf("PATCH %d of %v has %d bytes; every PATCH but the last must have %d", i, got, n, chunk)
			}
		}
		if last := got[len(got)-1]; last != size-off-2*chunk {
			t.Errorf("last PATCH %d bytes, want %d (PATCHes %v)", last, size-off-2*chunk, got)
		}
		if g.n.Load() != 1 || srv.Created() != 1 {
			t.Errorf("guard asked %d times, %d uploads; want 1 and 1", g.n.Load(), srv.Created())
		}
	})
}

// TestGuardHoldsTheLastByte: a guard that refuses ends the request
// before the file's last byte, through every kind of body.
func TestGuardHoldsTheLastByte(t *testing.T) {
	errChanged := errors.New("the file changed")
	cases := []struct {
		name  string
		size  int64
		chunk int64
		limit rate.Limit
	}{
		{"small file, net/http buffer", 100 << 10, 0, rate.Inf},
		{"large file, sendfile", 8 << 20, 0, rate.Inf},
		{"rate-limited", 3 << 20, 0, 200 << 20},
		{"chunked", 5<<20 + 5, 1 << 20, rate.Inf},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := tustest.New(t)
			var log patchLog
			tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				log.add(r)
				next.ServeHTTP(w, r)
			}), ChunkSize: tc.chunk}
			path, sha := tustest.RandomFile(t, "", "c.bin", tc.size, 4)
			c := newClient(t)
			c.Limiter = rate.NewLimiter(tc.limit, 1<<20)
			cr, err := c.Create(ctx(t), tg, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			refuse := &guardCount{err: errChanged}
			off, err := c.Send(ctx(t), tg, cr.URL, path, 0, tc.size, &progress{}, refuse.check)
			if !errors.Is(err, errChanged) || refuse.n.Load() != 1 {
				t.Fatalf("Send: %v after %d guard calls; want the guard's error after one", err, refuse.n.Load())
			}
			held, _, err := c.Offset(ctx(t), tg, cr.URL)
			if err != nil {
				t.Fatal(err)
			}
			if held >= tc.size || off > held {
				t.Fatalf("the server holds %d of %d bytes (Send said %d): the last byte went out", held, tc.size, off)
			}
			if tc.chunk > 0 && held < tc.size-tc.chunk {
				t.Fatalf("chunked: the server holds %d; the guard must stop only the last request", held)
			}
			// The same upload then completes with a guard that agrees.
			agree := &guardCount{}
			resume(t, c, tg, cr.URL, path, tc.size, agree.check)
			stored(t, srv, cr.URL, sha)
			if agree.n.Load() < 1 || srv.Created() != 1 {
				t.Fatalf("guard asked %d times, %d uploads", agree.n.Load(), srv.Created())
			}
		})
	}
}

// editOnProgress edits the file in place once some bytes have gone.
type editOnProgress struct {
	progress
	path string
	once sync.Once
}

func (p *editOnProgress) Sent(n int64) {
	if p.sent.Add(n) >= 256<<10 {
		p.once.Do(func() {
			f, _ := os.OpenFile(p.path, os.O_WRONLY, 0)
			f.WriteAt(make([]byte, 1<<20), 0)
			f.Close()
		})
	}
}

// TestGuardSeesAnEditOfBytesInFlight: sendfile hands the kernel pages,
// not copies, so a file edited while its bytes sit unacknowledged in the
// socket would arrive mixed. The guard is asked only once everything
// before the last byte is acknowledged.
func TestGuardSeesAnEditOfBytesInFlight(t *testing.T) {
	needAcks(t) // the guard waits for acknowledgements; without them the bytes are only handed over
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	const size = 3 << 20
	path, sha := tustest.RandomFile(t, "", "e.mp4", size, 13)
	errChanged := errors.New("changed")
	guard := func() error {
		if tustest.FileSHA256(t, path) != sha {
			return errChanged
		}
		return nil
	}
	c := newClient(t)
	tg := Target{Endpoint: srv.URL}
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(ctx(t), tg, cr.URL, path, 0, size, &editOnProgress{path: path}, guard)
	if !errors.Is(err, errChanged) {
		t.Fatalf("Send: %v; want the guard's refusal", err)
	}
	if up := srv.Uploads(); len(up) != 1 || up[0].Done {
		t.Fatalf("the server completed a mixed file: %+v", up)
	}
}
