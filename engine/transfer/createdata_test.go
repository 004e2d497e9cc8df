package transfer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

func TestCreateWithDataSendsASmallFileInOneRequest(t *testing.T) {
	srv := tustest.New(t)
	var log patchLog
	var posts atomic.Int32
	tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		log.add(r)
		next.ServeHTTP(w, r)
	}), Metadata: map[string]string{"filename": "tiny.txt"}}
	path, sha := tustest.RandomFile(t, "", "tiny.txt", 1024, 10)
	c := newClient(t)
	g := &guardCount{}
	p := &progress{}
	cr, off, err := c.CreateWithData(ctx(t), tg, 1024, path, p, g.check)
	if err != nil || off != 1024 {
		t.Fatalf("%d, %v", off, err)
	}
	stored(t, srv, cr.URL, sha)
	if posts.Load() != 1 || len(log.patches()) != 0 || g.n.Load() != 1 || srv.Created() != 1 || p.accepted.Load() != 1024 {
		t.Fatalf("%d POSTs, %d PATCHes, guard asked %d times, %d uploads, accepted %d", posts.Load(), len(log.patches()), g.n.Load(), srv.Created(), p.accepted.Load())
	}
}

// TestCreateWithDataFallsBack: a server that ignores the body answers
// without Upload-Offset; the caller goes on with Send from 0.
func TestCreateWithDataFallsBack(t *testing.T) {
	srv := tustest.New(t)
	tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			r.Body, r.ContentLength = http.NoBody, 0 // a plain tus server without the extension
			r.Header.Del("Content-Type")
		}
		next.ServeHTTP(w, r)
	})}
	path, sha := tustest.RandomFile(t, "", "f.bin", 300<<10, 11)
	c := newClient(t)
	cr, off, err := c.CreateWithData(ctx(t), tg, 300<<10, path, &progress{}, nil)
	if err != nil || off != 0 {
		t.Fatalf("%d, %v", off, err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, path, off, 300<<10, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	stored(t, srv, cr.URL, sha)
}

// TestManySmallFiles: 1000 files of 1 KiB at 3 at a time go over a few
// kept-alive connections, one request each.
func TestManySmallFiles(t *testing.T) {
	srv := tustest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := srv.DirectURL[len("http://") : len(srv.DirectURL)-len(tustest.BasePath)]
	flaky := tustest.NewFlaky(ln, target, tustest.Faults{}) // counts connections
	t.Cleanup(flaky.Close)
	tg := Target{Endpoint: "http://" + ln.Addr().String() + tustest.BasePath}

	const files = 1000
	dir := wine.TempDir(t)
	shas := make([]string, files)
	for i := range files {
		data := make([]byte, 1024)
		rand.Read(data)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		shas[i] = hex.EncodeToString(sum[:])
	}
	c := newClient(t)
	urls := make([]string, files)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make(chan error, files)
	start := time.Now()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < files; i = int(next.Add(1) - 1) {
				cr, off, err := c.CreateWithData(ctx(t), tg, 1024, filepath.Join(dir, fmt.Sprint(i)), &progress{}, nil)
				if err == nil && off != 1024 {
					err = fmt.Errorf("file %d: offset %d", i, off)
				}
				if err != nil {
					errs <- err
					return
				}
				urls[i] = cr.URL
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d files in %s: %.0f files/s over %d connections", files, elapsed.Round(time.Millisecond), files/elapsed.Seconds(), flaky.Connections())
	if n := flaky.Connections(); n > 6 {
		t.Errorf("%d connections for 3 concurrent uploaders: keep-alive is not working", n)
	}
	if srv.Created() != files {
		t.Fatalf("%d uploads for %d files", srv.Created(), files)
	}
	for i := 0; i < files; i += 97 {
		stored(t, srv, urls[i], shas[i])
	}
	if os.Getenv("FERRY_RATE") != "" && files/elapsed.Seconds() < 1000 {
		t.Errorf("below 1000 files/s")
	}
}
