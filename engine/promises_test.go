package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/receiver"
)

// TestClaimOfBytesNeverOfferedIsAConflict: a server that takes 100 KB of
// a PATCH, drops it, then claims the whole upload (or all but its last
// byte) is told it cannot be trusted, and no PATCH is sent from where it
// claims to be: what was offered is what went to the connection, not a
// bound set before the body.
func TestClaimOfBytesNeverOfferedIsAConflict(t *testing.T) {
	// 16 MiB: on loopback a few MiB leave the machine into the server's
	// buffers before it drops the request, and those it may truly hold.
	for _, size := range []int64{16 << 20, 48 << 20} {
		for name, lie := range map[string]func(int64) int64{
			"whole":       func(l int64) int64 { return l },
			"all but one": func(l int64) int64 { return l - 1 },
		} {
			t.Run(fmt.Sprintf("%d %s", size, name), func(t *testing.T) {
				var beyond atomic.Int32
				takeAndDrop := func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Method == http.MethodPatch {
							if off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64); off > 100<<10 {
								beyond.Add(1)
							}
							io.CopyN(io.Discard, r.Body, 100<<10)
							panic(http.ErrAbortHandler)
						}
						next.ServeHTTP(w, r)
					})
				}
				srv := tustest.New(t)
				// The misbehaviour faces the client itself: the test's
				// faulty link would take every byte into its own buffers.
				url := serveBefore(t, srv, takeAndDrop(lyingHEAD(lie)(proxyTo(t, srv.DirectURL))))
				e := newEngine(t, func(o *Options) { o.MaxBackoff = 20 * time.Millisecond })
				e.Start()
				p, _ := tustest.RandomFile(t, wine.TempDir(t), "taken.mp4", size, 7)
				j, _ := e.Add(p, Destination{URL: url})
				got := waitFor(t, e, j.ID, 60*time.Second, Done, Failed)
				if got.State != Failed || got.ErrorCode != fault.CodeConflict {
					t.Fatalf("job %s (%s): %s", got.State, got.ErrorCode, got.Error)
				}
				if srv.Created() != 1 || beyond.Load() != 0 {
					t.Fatalf("created %d uploads; %d PATCHes from where the server lied to be", srv.Created(), beyond.Load())
				}
			})
		}
	}
}

// proxyTo forwards requests to the server of a creation URL, keeping
// the Host, so Locations point back at the front.
func proxyTo(t *testing.T, creation string) http.Handler {
	up, err := neturl.Parse(creation)
	if err != nil {
		t.Fatal(err)
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&neturl.URL{Scheme: up.Scheme, Host: up.Host})
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) },
	}
}

// serveBefore serves h on an origin of its own and returns the creation
// URL there.
func serveBefore(t *testing.T, srv *tustest.Server, h http.Handler) string {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL + tustest.BasePath
}

// countingReceiver serves Ferry's receiver into dir behind a counter of
// requests by method; lose, if set, drops the answer of the first POST
// after the receiver has handled it.
func countingReceiver(t *testing.T, dir string, lose bool) (url string, counts map[string]*atomic.Int32) {
	var n int32
	if lose {
		n = 1
	}
	return losingReceiver(t, dir, n)
}

// losingReceiver is countingReceiver dropping the answers of the first
// lose POSTs.
func losingReceiver(t *testing.T, dir string, lose int32) (url string, counts map[string]*atomic.Int32) {
	t.Helper()
	rs, err := receiver.New(receiver.Config{Dir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	counts = map[string]*atomic.Int32{}
	for _, m := range []string{http.MethodOptions, http.MethodPost, http.MethodHead, http.MethodPatch} {
		counts[m] = &atomic.Int32{}
	}
	var lost atomic.Int32
	h := rs.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := counts[r.Method]; c != nil {
			c.Add(1)
		}
		if r.Method == http.MethodPost && lost.Add(1) <= lose {
			h.ServeHTTP(httptest.NewRecorder(), r) // done, but the answer never comes
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL + "/files/", counts
}

// TestSmallFilesIntoFerrysReceiverTakeOneRequest: into Ferry's own
// receiver a small file is created with its bytes, under an id the
// engine names from the job: one request a file, and a lost answer is put
// right by a HEAD, never a second upload.
func TestSmallFilesIntoFerrysReceiverTakeOneRequest(t *testing.T) {
	for _, lose := range []bool{false, true} {
		t.Run(fmt.Sprint("answer lost ", lose), func(t *testing.T) {
			in := wine.TempDir(t)
			url, counts := countingReceiver(t, in, lose)
			e := newEngine(t)
			e.Start()
			dir := wine.TempDir(t)
			const n = 40
			sums := map[string]string{}
			for i := range n {
				name := fmt.Sprintf("f%02d.jpg", i)
				_, sha := tustest.RandomFile(t, dir, name, int64(1000+i*1000), int64(i))
				sums[name] = sha
			}
			for _, a := range e.AddMany([]string{dir}, Destination{URL: url}) {
				if a.Err != nil {
					t.Fatal(a.Err)
				}
			}
			waitDone(t, e, n, 60*time.Second)
			if got := counts[http.MethodPatch].Load(); got != 0 {
				t.Fatalf("%d PATCHes; want none", got)
			}
			if got := counts[http.MethodPost].Load(); got != n {
				t.Fatalf("%d POSTs; want %d", got, n)
			}
			if got := counts[http.MethodHead].Load(); got != btoi(lose) {
				t.Fatalf("%d HEADs; want %d", got, btoi(lose))
			}
			if got := counts[http.MethodOptions].Load(); got != 1 {
				t.Fatalf("%d OPTIONS; want 1", got)
			}
			entries, _ := os.ReadDir(in)
			arrived := 0
			for _, de := range entries {
				want, ok := sums[de.Name()]
				if !ok {
					continue
				}
				arrived++
				if got := fileSHA(t, filepath.Join(in, de.Name())); got != want {
					t.Fatalf("%s arrived with sha %s", de.Name(), got)
				}
			}
			if arrived != n || len(entries) != n+1 { // + the receiver's work folder
				t.Fatalf("%d of %d files arrived, %d entries in the folder", arrived, n, len(entries))
			}
		})
	}
}

func btoi(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func fileSHA(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestProviderTokenGoesToItsAPIOnly: a Cloudflare or Vimeo token is for
// the creation request; the upload URL never gets it, whatever its origin.
func TestProviderTokenGoesToItsAPIOnly(t *testing.T) {
	e := newEngine(t)
	for _, k := range []dest.Kind{dest.KindCloudflare, dest.KindVimeo} {
		d := Destination{Kind: k, Account: "0123456789abcdef0123456789abcdef", Header: http.Header{"Authorization": {"Bearer T"}}}
		tg := e.target(d, "a.mp4")
		if len(tg.Header) != 0 || tg.CreateHeader.Get("Authorization") != "Bearer T" {
			t.Fatalf("%s: header %v, creation header %v", k, tg.Header, tg.CreateHeader)
		}
	}
	tg := e.target(Destination{URL: "http://h/files/", Header: http.Header{"Authorization": {"Bearer T"}}}, "a.mp4")
	if tg.Header.Get("Authorization") != "Bearer T" || len(tg.CreateHeader) != 0 {
		t.Fatalf("tus: header %v, creation header %v", tg.Header, tg.CreateHeader)
	}
}

// TestVimeoTokenNeverReachesTheUploadLink: even when Vimeo's upload_link
// shares the API's origin, its HEADs and PATCHes carry no token, through
// a cut and a resume by a new engine.
func TestVimeoTokenNeverReachesTheUploadLink(t *testing.T) {
	srv := tustest.New(t)
	var leaks, uploads atomic.Int32
	var self string
	proxy := proxyTo(t, srv.DirectURL)
	var cut atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("POST /me/videos", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer vimeo-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var v struct {
			Upload struct {
				Size string `json:"size"`
			} `json:"upload"`
		}
		json.NewDecoder(r.Body).Decode(&v)
		req, _ := http.NewRequest(http.MethodPost, srv.DirectURL, nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", v.Upload.Size)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		res.Body.Close()
		loc, _ := neturl.Parse(res.Header.Get("Location"))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"link": "https://vimeo.com/1", "upload": map[string]string{"approach": "tus", "upload_link": self + loc.Path}})
	})
	mux.HandleFunc("/files/", func(w http.ResponseWriter, r *http.Request) {
		uploads.Add(1)
		if r.Header.Get("Authorization") != "" {
			leaks.Add(1)
		}
		if r.Method == http.MethodPatch && cut.CompareAndSwap(false, true) {
			io.CopyN(io.Discard, r.Body, 1<<20)
			panic(http.ErrAbortHandler)
		}
		proxy.ServeHTTP(w, r)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	self = hs.URL
	t.Setenv("FERRY_VIMEO_API", hs.URL)
	kc := &memSecrets{}
	e := newEngine(t, func(o *Options) { o.Keychain = kc })
	if err := e.SaveDestination(Destination{Name: "vm", Kind: dest.KindVimeo}, map[string]string{"token": "vimeo-token"}); err != nil {
		t.Fatal(err)
	}
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "film.mp4", 8<<20, 11)
	j, err := e.Add(p, Destination{Name: "vm"})
	if err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, e, j.ID, 60*time.Second, Done, Failed)
	if got.State != Done || got.Link != "https://vimeo.com/1" {
		t.Fatalf("job %s: %s (link %q)", got.State, got.Error, got.Link)
	}
	if !cut.Load() || uploads.Load() < 3 {
		t.Fatalf("the upload link saw %d requests (cut: %v); want a cut and a resume", uploads.Load(), cut.Load())
	}
	if leaks.Load() != 0 {
		t.Fatalf("%d requests to the upload link carried the token", leaks.Load())
	}
	up := srv.Uploads()
	if len(up) != 1 || up[0].SHA256 != sha {
		t.Fatalf("server holds %+v; want one upload with sha %s", up, sha)
	}
}

// A server whose upload turns out to have another length than the file
// (on a resume's HEAD) gets a new upload for the file, and the old one is
// deleted rather than left behind; the job's notes say so.
func TestUploadOfAnotherLengthIsDeleted(t *testing.T) {
	var lie atomic.Bool
	const size = 2 << 20
	otherLength := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && lie.CompareAndSwap(true, false) {
				w.Header().Set("Tus-Resumable", "1.0.0")
				w.Header().Set("Upload-Offset", "0")
				w.Header().Set("Upload-Length", strconv.Itoa(size+1000))
				w.WriteHeader(http.StatusOK)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := tustest.New(t, tustest.WithMiddleware(otherLength))
	e := newEngine(t)
	e.SetRateLimit(256 << 10)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "len.mp4", size, 11)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, e, 30*time.Second, func(j Job) bool { return j.Offset > 0 }, j.ID)
	if err := e.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 30*time.Second, Paused)
	lie.Store(true)
	e.SetRateLimit(0)
	if err := e.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	done := waitFor(t, e, j.ID, 60*time.Second, Done, Failed)
	if done.State != Done || !strings.Contains(strings.Join(done.Notes, "\n"), "another length") {
		t.Fatalf("job %s, notes %q", done.State, done.Notes)
	}
	up, ok := srv.UploadByName("len.mp4")
	// The deleter works on its own goroutine: its DELETE may still be on
	// its way when the job is done.
	for deadline := time.Now().Add(30 * time.Second); srv.Terminated() < 1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if srv.Terminated() != 1 {
		t.Fatalf("%d uploads deleted; want the old one", srv.Terminated())
	}
	if !ok || !up.Done || up.SHA256 != sha || srv.Created() != 2 {
		t.Fatalf("upload %+v, %d created; want the file whole in a second upload", up, srv.Created())
	}
}

// Named creations whose answers are lost again and again (a receiver that
// restarts, a flaky link) are no reason to stop: each upload is found
// again by its URL, so none is left behind, and every file arrives once.
func TestLostAnswersOfNamedCreationsAreNoReasonToStop(t *testing.T) {
	in := wine.TempDir(t)
	url, _ := losingReceiver(t, in, 8)
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	const n = 4
	sums := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("g%d.jpg", i)
		_, sums[name] = tustest.RandomFile(t, dir, name, 3000, int64(i))
	}
	e.AddMany([]string{dir}, Destination{URL: url})
	sub := e.Subscribe(JobChanged.Mask(), 256)
	defer sub.Close()
	for e.Totals().Count(Done) < n {
		select {
		case ev := <-sub.C:
			if ev.Job.State == Failed {
				t.Fatalf("%s failed: %s", filepath.Base(ev.Job.Path), ev.Job.Error)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%+v after a minute", e.Totals())
		}
	}
	entries, _ := os.ReadDir(in)
	if len(entries) != n+1 { // + the receiver's work folder
		t.Fatalf("%d entries in the receive folder for %d files", len(entries), n)
	}
	for name, want := range sums {
		if got := fileSHA(t, filepath.Join(in, name)); got != want {
			t.Fatalf("%s arrived with sha %s", name, got)
		}
	}
}
