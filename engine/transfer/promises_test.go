package transfer

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// slowMethod holds the answer to every request of method for d after
// tusd has handled it: a server that takes its time, not a dead link.
func slowMethod(method string, d time.Duration, n *atomic.Int32) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == method {
			n.Add(1)
			w = &delayedWriter{ResponseWriter: w, d: d}
		}
		next.ServeHTTP(w, r)
	}
}

// TestSlowAnswersAreNotStalls: a server that answers a creation or a HEAD
// later than the stall timeout, but within the response timeout, is
// waited for: one POST, one upload, no orphan.
func TestSlowAnswersAreNotStalls(t *testing.T) {
	needAcks(t)
	srv := tustest.New(t)
	var posts, heads atomic.Int32
	slow := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		switch r.Method {
		case http.MethodPost:
			posts.Add(1)
		case http.MethodHead:
			heads.Add(1)
		default:
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&delayedWriter{ResponseWriter: w, d: 1500 * time.Millisecond}, r)
	}
	tg := Target{Endpoint: front(t, srv, slow)}
	c := newClient(t)
	c.StallTimeout = 500 * time.Millisecond
	cr, err := c.Create(ctx(t), tg, 10)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, _, err := c.Offset(ctx(t), tg, cr.URL); err != nil {
		t.Fatalf("Offset: %v", err)
	}
	if posts.Load() != 1 || heads.Load() != 1 || srv.Created() != 1 {
		t.Fatalf("%d POSTs, %d HEADs, %d uploads; want 1 each", posts.Load(), heads.Load(), srv.Created())
	}
}

// TestLostCreationWaitsLonger: a creation whose answer does not come
// within the response timeout may have made an upload; the error says
// so, and the next creation to that origin waits twice as long, so a slow
// server gets one orphan, not one per try.
func TestLostCreationWaitsLonger(t *testing.T) {
	needAcks(t)
	srv := tustest.New(t)
	var posts atomic.Int32
	tg := Target{Endpoint: front(t, srv, slowMethod(http.MethodPost, 1500*time.Millisecond, &posts))}
	c := newClient(t)
	c.StallTimeout = 500 * time.Millisecond
	c.ResponseTimeout = time.Second
	_, err := c.Create(ctx(t), tg, 10)
	if err == nil || fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "may keep an unfinished upload") || !strings.Contains(err.Error(), "waits up to 2s") {
		t.Fatalf("first Create: %v; want a transient error that says an upload may be left and the next wait", err)
	}
	if _, err := c.Create(ctx(t), tg, 10); err != nil {
		t.Fatalf("second Create: %v", err)
	}
	if posts.Load() != 2 {
		t.Fatalf("%d POSTs; want 2", posts.Load())
	}
}

// dropAfterCreate lets tusd create each upload, then drops the
// connection instead of answering: the creation happened, its answer is
// lost.
func dropAfterCreate(posts *atomic.Int32) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		posts.Add(1)
		next.ServeHTTP(&discardWriter{h: http.Header{}}, r)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}
}

// discardWriter takes an answer and keeps it from the client.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestDroppedCreationIsALostCreation: a server that makes the upload and
// drops the connection before answering has lost a creation's answer as
// surely as one that answers too late: the error says an upload may be
// left, and after maxLostCreations in a row the client stops asking
// (permanently, with its code), so such a server gets a bounded number of
// orphans, not one every few seconds for ever.
func TestDroppedCreationIsALostCreation(t *testing.T) {
	srv := tustest.New(t)
	var posts atomic.Int32
	tg := Target{Endpoint: front(t, srv, dropAfterCreate(&posts))}
	c := newClient(t)
	for i := 1; i <= maxLostCreations; i++ {
		_, err := c.Create(ctx(t), tg, 10)
		switch {
		case err == nil:
			t.Fatalf("Create %d: no error from a dropped answer", i)
		case i < maxLostCreations && (fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "may keep an unfinished upload")):
			t.Fatalf("Create %d: %v; want a transient error that says an upload may be left", i, err)
		case i == maxLostCreations && (fault.KindOf(err) != fault.Permanent || fault.CodeOf(err) != fault.CodeLostCreation || !strings.Contains(err.Error(), "Ferry stops asking")):
			t.Fatalf("Create %d: %v; want a permanent error with code %s", i, err, fault.CodeLostCreation)
		}
	}
	if posts.Load() != maxLostCreations || srv.Created() != maxLostCreations {
		t.Fatalf("%d POSTs, %d uploads; want %d each", posts.Load(), srv.Created(), maxLostCreations)
	}
}

// TestRedirectLoopEnds: a creation URL that redirects to itself fails at
// once, permanently, naming the host.
func TestRedirectLoopEnds(t *testing.T) {
	srv := tustest.New(t)
	var posts atomic.Int32
	var self string
	tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		posts.Add(1)
		w.Header().Set("Location", self)
		w.WriteHeader(http.StatusTemporaryRedirect)
	})}
	self = tg.Endpoint
	c := newClient(t)
	_, err := c.Create(ctx(t), tg, 10)
	if err == nil || fault.KindOf(err) != fault.Permanent || fault.CodeOf(err) != fault.CodeRedirect || !strings.Contains(err.Error(), HostOf(tg.Endpoint)) || !strings.Contains(err.Error(), "loop") {
		t.Fatalf("Create: %v (%s); want a permanent redirect loop naming %s", err, fault.CodeOf(err), HostOf(tg.Endpoint))
	}
	if n := posts.Load(); n > maxRedirects+1 {
		t.Fatalf("%d POSTs", n)
	}
}

// TestServerDownAtStartGivesUp: a server that has never answered in this
// process and refuses connections is retried with the time Ferry gives
// up named, then the error is permanent.
func TestServerDownAtStartGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/files/"
	ln.Close() // nothing listens there now
	c := newClient(t)
	c.GiveUp = 300 * time.Millisecond
	tg := Target{Endpoint: endpoint}
	_, err = c.Create(ctx(t), tg, 10)
	if err == nil || fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "gives up at") {
		t.Fatalf("first Create: %v; want transient, saying when Ferry gives up", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for fault.KindOf(err) == fault.Transient && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // the give-up time is what is tested
		_, err = c.Create(ctx(t), tg, 10)
	}
	if fault.KindOf(err) != fault.Permanent || fault.CodeOf(err) != fault.CodeUnreachable || !strings.Contains(err.Error(), "has not answered once") {
		t.Fatalf("later Create: %v (%s); want permanent, unreachable", err, fault.CodeOf(err))
	}
}

// TestProviderTokenOnlyOnCreation: CreateHeader goes with the creation
// request, never with HEAD or PATCH to the upload URL, even on the same
// origin.
func TestProviderTokenOnlyOnCreation(t *testing.T) {
	srv := tustest.New(t)
	log := &patchLog{}
	var methods []string
	tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		methods = append(methods, r.Method)
		log.add(r)
		next.ServeHTTP(w, r)
	}), CreateHeader: http.Header{"Authorization": {"Bearer provider-token"}}}
	path, sha := tustest.RandomFile(t, "", "p.bin", 4096, 3)
	c := newClient(t)
	cr, err := c.Create(ctx(t), tg, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Offset(ctx(t), tg, cr.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, 4096, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	stored(t, srv, cr.URL, sha)
	for i, h := range log.headers() {
		got := h.Get("Authorization")
		if (methods[i] == http.MethodPost) != (got == "Bearer provider-token") {
			t.Fatalf("%s carried Authorization %q", methods[i], got)
		}
	}
}

// claimAfter reads n bytes of a PATCH body, then answers that the whole
// upload is there: a server that lies about what it took.
func claimAfter(n int64, size int64) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		io.CopyN(io.Discard, r.Body, n)
		w.Header().Set("Tus-Resumable", "1.0.0")
		w.Header().Set("Upload-Offset", strconv.FormatInt(size, 10))
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusNoContent)
	}
}

// TestClaimBeyondWhatWasOffered: an offset beyond the bytes handed to the
// connection is a conflict, however early the server says it.
func TestClaimBeyondWhatWasOffered(t *testing.T) {
	srv := tustest.New(t)
	const size = 64 << 20
	tg := Target{Endpoint: front(t, srv, claimAfter(100<<10, size))}
	path, _ := tustest.RandomFile(t, "", "lie.bin", size, 4)
	c := newClient(t)
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	got := &offeredProgress{}
	off, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, got, nil)
	if err == nil || fault.KindOf(err) != fault.Conflict || off != 0 {
		t.Fatalf("Send: %d, %v; want a conflict at 0", off, err)
	}
	if o := got.offered.Load(); o <= 0 || o >= size {
		t.Fatalf("offered %d; want what went, below %d", o, size)
	}
}

// offeredProgress records the bound Send reports.
type offeredProgress struct {
	progress
	offered atomic.Int64
}

func (p *offeredProgress) Offered(end int64) {
	for {
		old := p.offered.Load()
		if end <= old || p.offered.CompareAndSwap(old, end) {
			return
		}
	}
}

// slowReader reads PATCH bodies at about 2 MB/s and signals once it has
// read the first MiB.
func slowReader(first chan<- struct{}) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPatch {
			r.Body = &pacedBody{r: r.Body, first: first}
		}
		next.ServeHTTP(w, r)
	}
}

type pacedBody struct {
	r     io.ReadCloser
	n     int64
	first chan<- struct{}
}

func (b *pacedBody) Read(p []byte) (int, error) {
	time.Sleep(16 * time.Millisecond) // the server's pace is what is tested
	n, err := b.r.Read(p[:min(len(p), 32<<10)])
	before := b.n
	b.n += int64(n)
	if before < 1<<20 && b.n >= 1<<20 {
		close(b.first)
	}
	return n, err
}

func (b *pacedBody) Close() error { return b.r.Close() }

// TestChangeMidBodyStopsEarly: a file replaced or grown while its body
// goes stops the request within seconds, not at its last byte.
func TestChangeMidBodyStopsEarly(t *testing.T) {
	const size = 64 << 20
	for _, tc := range []struct {
		name    string
		limited bool
		change  func(t *testing.T, path string)
		wine    string // the Wine limit it meets, if any
	}{
		{"replaced", false, func(t *testing.T, path string) {
			other, _ := tustest.RandomFile(t, wine.TempDir(t), "new.bin", size, 99)
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "it refuses to rename a file onto one another program has open, delete sharing or not (Access denied); moving or deleting that file works"},
		{"grown", false, func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("more"))
			f.Close()
		}, ""},
		{"grown, rate-limited", true, func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("more"))
			f.Close()
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wine != "" {
				wine.Skip(t, tc.wine)
			}
			srv := tustest.New(t)
			first := make(chan struct{})
			tg := Target{Endpoint: front(t, srv, slowReader(first))}
			path, _ := tustest.RandomFile(t, "", "f.bin", size, 5)
			c := newClient(t)
			if tc.limited {
				c.Limiter = rate.NewLimiter(4<<20, 256<<10)
			}
			cr, err := c.Create(ctx(t), tg, size)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, nil)
				done <- err
			}()
			<-first
			tc.change(t, path)
			changed := time.Now()
			err = <-done
			if !errors.Is(err, errFileChanged) || fault.CodeOf(err) != fault.CodeFileChanged {
				t.Fatalf("Send: %v; want the file changed", err)
			}
			if d := time.Since(changed); d > 3*checkEvery+5*time.Second {
				t.Fatalf("the change was noticed after %s", d)
			}
			if got := srv.BytesReceived(); got >= size/2 {
				t.Fatalf("%d bytes reached the server; want the request stopped early", got)
			}
		})
	}
}

// TestClaimOfAClosingAnswerIsChecked: the end of a body small enough to
// sit in the server's socket buffer has "left" before the server read it;
// a server that reads all but those last 40 KiB, claims the whole and
// closes the connection is asked again (HEAD) before the claim is
// believed.
func TestClaimOfAClosingAnswerIsChecked(t *testing.T) {
	srv := tustest.New(t)
	const size = 200 << 10
	lie := claimAfter(size-40<<10, size)
	tg := Target{Endpoint: front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPatch {
			// The rest of the body reaches the server's socket, unread.
			time.Sleep(300 * time.Millisecond)
		}
		lie(w, r, next)
	})}
	path, _ := tustest.RandomFile(t, "", "lie.bin", size, 5)
	c := newClient(t)
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	off, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, nil)
	if err == nil || fault.KindOf(err) != fault.Conflict || off != 0 {
		t.Fatalf("Send: %d, %v; want a conflict at 0", off, err)
	}
}

// TestRefusedRequestOffersNothing: bytes sent with a request the server
// refuses before storing (409: not at its offset) offer it nothing, so a
// server that then claims to hold them (an upload URL it gave out twice)
// is not believed.
func TestRefusedRequestOffersNothing(t *testing.T) {
	srv := tustest.New(t)
	const size = 300 << 10
	tg := Target{Endpoint: srv.URL}
	first, _ := tustest.RandomFile(t, "", "first.bin", size, 6)
	second, _ := tustest.RandomFile(t, "", "second.bin", size, 7)
	c := newClient(t)
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, first, 0, size, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	got := &offeredProgress{}
	if _, err := c.Send(ctx(t), tg, cr.URL, second, 0, size, got, nil); err == nil {
		t.Fatal("a PATCH at 0 to a finished upload was taken")
	}
	if o := got.offered.Load(); o != 0 {
		t.Fatalf("offered %d bytes with a refused request; want 0", o)
	}
}

// TestUserinfoStaysOutOfTheUploadURL: an endpoint with user-info (basic
// auth) gives upload URLs without it, which is what gets recorded, and
// every request to the upload still carries the credentials.
func TestUserinfoStaysOutOfTheUploadURL(t *testing.T) {
	srv := tustest.New(t)
	var refused atomic.Int32
	basic := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if u, p, ok := r.BasicAuth(); !ok || u != "bob" || p != "S3CRET" {
			refused.Add(1)
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	}
	endpoint := strings.Replace(front(t, srv, basic), "http://", "http://bob:S3CRET@", 1)
	tg := Target{Endpoint: endpoint}
	const size = 100 << 10
	path, sha := tustest.RandomFile(t, "", "basic.bin", size, 8)
	c := newClient(t)
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cr.URL, "S3CRET") || strings.Contains(cr.URL, "bob") {
		t.Fatalf("the upload URL %s carries the endpoint's user-info", cr.URL)
	}
	if off, err := c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, nil); err != nil || off != size {
		t.Fatalf("Send: %d, %v", off, err)
	}
	if _, _, err := c.Offset(ctx(t), tg, cr.URL); err != nil {
		t.Fatal(err)
	}
	if ups := srv.Uploads(); refused.Load() != 0 || len(ups) != 1 || ups[0].SHA256 != sha {
		t.Fatalf("%d requests refused, uploads %+v", refused.Load(), ups)
	}
}

// TestOddAnswersAreNamed: an upload URL too long to record, and an
// Upload-Offset that is no byte count, are refused with a sentence that
// says what is wrong with them.
func TestOddAnswersAreNamed(t *testing.T) {
	srv := tustest.New(t)
	long := strings.Repeat("x", maxLocation)
	odd := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		switch {
		case r.Method == http.MethodPost && r.Header.Get("Upload-Length") == "1":
			w.Header().Set("Tus-Resumable", "1.0.0")
			w.Header().Set("Location", "/files/"+long)
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodHead:
			w.Header().Set("Tus-Resumable", "1.0.0")
			w.Header().Set("Upload-Offset", "-5")
			w.WriteHeader(http.StatusOK)
		default:
			next.ServeHTTP(w, r)
		}
	}
	tg := Target{Endpoint: front(t, srv, odd)}
	c := newClient(t)
	if _, err := c.Create(ctx(t), tg, 1); fault.CodeOf(err) != fault.CodeNotTus || !strings.Contains(err.Error(), "a Location of") {
		t.Fatalf("Create with a %d-byte Location: %v", len(long), err)
	}
	cr, err := c.Create(ctx(t), tg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Offset(ctx(t), tg, cr.URL); fault.CodeOf(err) != fault.CodeNotTus || !strings.Contains(err.Error(), `not a byte count ("-5")`) {
		t.Fatalf("HEAD with Upload-Offset -5: %v", err)
	}
}
