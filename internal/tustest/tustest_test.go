package tustest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// --- a minimal tus 1.0 client on plain net/http ---

func client(t *testing.T, timeout time.Duration) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

func do(t *testing.T, c *http.Client, method, url string, body io.Reader, hdr map[string]string) *http.Response {
	t.Helper()
	resp, err := try(c, method, url, body, hdr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

// try sends one request and reads the whole response body (kept in resp.Body).
func try(c *http.Client, method, url string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, err
}

func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func create(t *testing.T, c *http.Client, endpoint string, size int64, name string) string {
	t.Helper()
	resp := do(t, c, "POST", endpoint, nil, map[string]string{
		"Upload-Length":   strconv.FormatInt(size, 10),
		"Upload-Metadata": "filename " + base64.StdEncoding.EncodeToString([]byte(name)),
	})
	if resp.StatusCode != 201 {
		t.Fatalf("POST: status %d, want 201: %s", resp.StatusCode, bodyOf(resp))
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, endpoint) {
		t.Fatalf("Location %q is not under %q", loc, endpoint)
	}
	return loc
}

func patch(c *http.Client, url string, offset int64, data []byte) (*http.Response, error) {
	return try(c, "PATCH", url, bytes.NewReader(data), map[string]string{
		"Content-Type":  "application/offset+octet-stream",
		"Upload-Offset": strconv.FormatInt(offset, 10),
	})
}

func offsetOf(t *testing.T, c *http.Client, url string) int64 {
	t.Helper()
	resp := do(t, c, "HEAD", url, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("HEAD %s: status %d", url, resp.StatusCode)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		t.Fatalf("HEAD %s: Upload-Offset: %v", url, err)
	}
	return n
}

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// idOf returns the upload id at the end of an upload URL.
func idOf(url string) string { return url[strings.LastIndex(url, "/")+1:] }

// --- tests ---

func TestUploadLifecycle(t *testing.T) {
	s := New(t)
	c := client(t, 10*time.Second)
	data := randomBytes(300<<10, 1)

	loc := create(t, c, s.URL, int64(len(data)), "a.bin")
	resp, err := patch(c, loc, 0, data)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("PATCH: %v %v", resp, err)
	}
	if got := resp.Header.Get("Upload-Offset"); got != strconv.Itoa(len(data)) {
		t.Fatalf("Upload-Offset %s", got)
	}
	if got := offsetOf(t, c, loc); got != int64(len(data)) {
		t.Fatalf("HEAD offset %d", got)
	}

	// Same name again, through the direct endpoint: UploadByName picks it.
	loc2 := create(t, c, s.DirectURL, 10, "a.bin")
	if s.Created() != 2 {
		t.Fatalf("Created = %d, want 2", s.Created())
	}
	ups := s.Uploads()
	if len(ups) != 2 || ups[0].ID != idOf(loc) || ups[1].ID != idOf(loc2) {
		t.Fatalf("Uploads = %+v", ups)
	}
	u := ups[0]
	if !u.Done || u.Offset != int64(len(data)) || u.Size != int64(len(data)) || u.SHA256 != sha(data) || u.MetaData["filename"] != "a.bin" {
		t.Fatalf("upload = %+v", u)
	}
	if FileSHA256(t, u.Path) != sha(data) {
		t.Fatal("Path does not hold the data")
	}
	if got, _ := s.UploadByName("a.bin"); got.ID != idOf(loc2) || got.Done || got.Offset != 0 {
		t.Fatalf("UploadByName = %+v", got)
	}
	if _, ok := s.UploadByName("nope"); ok {
		t.Fatal("UploadByName found a missing name")
	}
	if s.BytesReceived() != int64(len(data)) {
		t.Fatalf("BytesReceived = %d", s.BytesReceived())
	}

	if resp := do(t, c, "DELETE", loc2, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	if resp := do(t, c, "DELETE", loc2, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("second DELETE: %d", resp.StatusCode)
	}
	if s.Terminated() != 1 || len(s.Uploads()) != 1 {
		t.Fatalf("Terminated = %d, uploads = %d", s.Terminated(), len(s.Uploads()))
	}
	reqs := s.Requests()
	for _, want := range []string{"POST /files/ 201", "PATCH /files/" + idOf(loc) + " 204", "DELETE /files/" + idOf(loc2) + " 404"} {
		if !slices.Contains(reqs, want) {
			t.Errorf("Requests lacks %q: %q", want, reqs)
		}
	}
}

func TestConcatenation(t *testing.T) {
	s := New(t)
	c := client(t, 10*time.Second)
	a, b := randomBytes(1000, 2), randomBytes(2000, 3)
	var parts []string
	for _, d := range [][]byte{a, b} {
		resp := do(t, c, "POST", s.DirectURL, nil, map[string]string{"Upload-Length": strconv.Itoa(len(d)), "Upload-Concat": "partial"})
		if resp.StatusCode != 201 {
			t.Fatalf("POST partial: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		if resp, err := patch(c, loc, 0, d); err != nil || resp.StatusCode != 204 {
			t.Fatalf("PATCH partial: %v %v", resp, err)
		}
		parts = append(parts, loc)
	}
	resp := do(t, c, "POST", s.DirectURL, nil, map[string]string{"Upload-Concat": "final;" + strings.Join(parts, " ")})
	if resp.StatusCode != 201 {
		t.Fatalf("POST final: %d %s", resp.StatusCode, bodyOf(resp))
	}
	ups := s.Uploads()
	final := ups[len(ups)-1]
	if s.Created() != 3 || !final.IsFinal || !final.Done || final.SHA256 != sha(append(a, b...)) || len(final.PartialUploads) != 2 {
		t.Fatalf("Created = %d, final = %+v", s.Created(), final)
	}
}

// resumeThroughCuts uploads data through CutEvery faults, resuming from the
// server's offset after every cut, and returns the offsets it resumed at.
func resumeThroughCuts(t *testing.T, seed int64, data []byte) []int64 {
	s := New(t, WithFaults(Faults{CutEvery: 64 << 10, CutSeed: seed}))
	c := client(t, 10*time.Second)
	loc := create(t, c, s.DirectURL, int64(len(data)), "cut.bin")
	faulty := s.URL + idOf(loc)

	var offsets []int64
	var off int64
	for attempt := 0; ; attempt++ {
		if attempt > 100 {
			t.Fatal("no progress after 100 attempts")
		}
		resp, err := patch(c, faulty, off, data[off:])
		if err == nil {
			if resp.StatusCode != 204 || resp.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
				t.Fatalf("PATCH: %d %s", resp.StatusCode, bodyOf(resp))
			}
			break
		}
		// The cut must look like a broken connection to the client.
		if attempt == 0 {
			t.Logf("client error after a cut: %v", err)
		}
		next := offsetOf(t, c, loc) // tusd kept everything it read
		if next <= off || next >= int64(len(data)) {
			t.Fatalf("after cut: offset %d (was %d, size %d)", next, off, len(data))
		}
		off = next
		offsets = append(offsets, off)
	}
	u, _ := s.UploadByName("cut.bin")
	if !u.Done || u.SHA256 != sha(data) {
		t.Fatalf("upload = %+v", u)
	}
	// Resuming from the server offset re-sends nothing.
	if s.BytesReceived() != int64(len(data)) {
		t.Fatalf("BytesReceived = %d, want %d", s.BytesReceived(), len(data))
	}
	return offsets
}

func TestCutEvery(t *testing.T) {
	data := randomBytes(1<<20, 4)
	a := resumeThroughCuts(t, 42, data)
	if len(a) < 8 || len(a) > 40 {
		t.Fatalf("%d cuts for 1 MiB at CutEvery 64 KiB: %v", len(a), a)
	}
	b := resumeThroughCuts(t, 42, data)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different cuts:\n%v\n%v", a, b)
	}
	if d := resumeThroughCuts(t, 43, data); slices.Equal(a, d) {
		t.Fatal("different seeds, same cuts")
	}
}

func TestCutIsReset(t *testing.T) {
	s := New(t, WithFaults(Faults{CutEvery: 2}))
	conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(s.URL, "/files/"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("HEAD /files/x HTTP/1.1\r\nHost: x\r\n\r\n"))
	_, err = io.ReadAll(conn)
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("read after cut: %v, want connection reset", err)
	}
}

func TestBlackhole(t *testing.T) {
	s := New(t, WithFaults(Faults{BlackholeAfter: 16 << 10}))
	c := client(t, 2*time.Second)
	data := randomBytes(1<<20, 5)
	loc := create(t, c, s.DirectURL, int64(len(data)), "hole.bin")
	faulty := s.URL + idOf(loc)

	start := time.Now()
	_, err := patch(c, faulty, 0, data)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("PATCH into black hole: %v, want timeout", err)
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("timed out after %v", d)
	}

	// A fresh connection works (BlackholeCount defaults to 1). Its HEAD asks
	// tusd for the lock, which interrupts the PATCH still stuck in tusd.
	start = time.Now()
	off := offsetOf(t, c, faulty)
	if d := time.Since(start); d > time.Second {
		t.Errorf("HEAD took %v", d)
	}
	if off <= 0 || off >= 16<<10 {
		t.Fatalf("offset after black hole = %d", off)
	}
	if resp, err := patch(c, faulty, off, data[off:]); err != nil || resp.StatusCode != 204 {
		t.Fatalf("resume: %v %v", resp, err)
	}
	if u, _ := s.UploadByName("hole.bin"); u.SHA256 != sha(data) {
		t.Fatalf("upload = %+v", u)
	}
}

func TestRateLimit(t *testing.T) {
	s := New(t, WithFaults(Faults{RateLimit: 256 << 10}))
	c := client(t, 10*time.Second)
	data := randomBytes(256<<10, 6)
	loc := create(t, c, s.URL, int64(len(data)), "slow.bin")

	start := time.Now()
	if resp, err := patch(c, loc, 0, data); err != nil || resp.StatusCode != 204 {
		t.Fatalf("PATCH: %v %v", resp, err)
	}
	if d := time.Since(start); d < 850*time.Millisecond || d > 4*time.Second {
		t.Fatalf("256 KiB at 256 KiB/s took %v, want about 1s", d)
	}

	s.SetFaults(Faults{})
	loc = create(t, c, s.URL, int64(len(data)), "fast.bin")
	start = time.Now()
	if resp, err := patch(c, loc, 0, data); err != nil || resp.StatusCode != 204 {
		t.Fatalf("PATCH: %v %v", resp, err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("unlimited PATCH took %v", d)
	}
}

func TestHTTPFaults(t *testing.T) {
	s := New(t, WithFaults(Faults{
		Status5xxPATCH: 1, Status429PATCH: 1, RetryAfter: 3, Conflict409PATCH: 1, Locked423PATCH: 1, NotFoundHEAD: 1,
	}))
	c := client(t, 10*time.Second)
	data := randomBytes(10<<10, 7)
	loc := create(t, c, s.URL, 2*int64(len(data)), "f.bin")

	for _, want := range []int{503, 429, 409, 423, 204} {
		resp, err := patch(c, loc, 0, data)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("PATCH: %d, want %d", resp.StatusCode, want)
		}
		body := bodyOf(resp)
		switch want {
		case 429:
			if ra := resp.Header.Get("Retry-After"); ra != "3" {
				t.Errorf("Retry-After = %q", ra)
			}
		case 409:
			if !strings.HasPrefix(body, "ERR_MISMATCHED_OFFSET") {
				t.Errorf("409 body %q", body)
			}
		}
		if resp.Header.Get("Tus-Resumable") != "1.0.0" {
			t.Errorf("%d lacks Tus-Resumable", want)
		}
	}
	// Faulted bodies were drained by the fault layer, never stored.
	if s.BytesReceived() != int64(len(data)) {
		t.Fatalf("BytesReceived = %d", s.BytesReceived())
	}
	if resp := do(t, c, "HEAD", loc, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("HEAD: %d, want 404", resp.StatusCode)
	}
	if off := offsetOf(t, c, loc); off != int64(len(data)) {
		t.Fatalf("offset %d", off)
	}

	// DirectURL never sees faults.
	s.SetFaults(Faults{Status5xxPATCH: 5})
	direct := s.DirectURL + idOf(loc)
	if resp, err := patch(c, direct, int64(len(data)), data); err != nil || resp.StatusCode != 204 {
		t.Fatalf("direct PATCH: %v %v", resp, err)
	}
	if !slices.Contains(s.Requests(), "PATCH /files/"+idOf(loc)+" 503") {
		t.Errorf("Requests: %q", s.Requests())
	}
}

func TestAuth(t *testing.T) {
	s := New(t, WithAuth("sekret"))
	c := client(t, 10*time.Second)
	good := map[string]string{"Authorization": "Bearer sekret", "Upload-Length": "1"}
	for _, u := range []string{s.URL, s.DirectURL} {
		resp := do(t, c, "POST", u, nil, map[string]string{"Upload-Length": "1"})
		if resp.StatusCode != 401 || !strings.HasPrefix(bodyOf(resp), "ERR_UNAUTHORIZED") {
			t.Fatalf("POST without token: %d", resp.StatusCode)
		}
		if resp := do(t, c, "POST", u, nil, good); resp.StatusCode != 201 {
			t.Fatalf("POST with token: %d", resp.StatusCode)
		}
	}
	if s.Created() != 2 {
		t.Fatalf("Created = %d", s.Created())
	}

	s.SetFaults(Faults{Status401: true})
	if resp := do(t, c, "POST", s.URL, nil, good); resp.StatusCode != 401 {
		t.Fatalf("Status401 fault: %d", resp.StatusCode)
	}
	if resp := do(t, c, "POST", s.DirectURL, nil, good); resp.StatusCode != 201 {
		t.Fatalf("direct with Status401 fault: %d", resp.StatusCode)
	}
}

func TestNotTus(t *testing.T) {
	s := New(t, WithFaults(Faults{NotTus: true}))
	c := client(t, 10*time.Second)

	resp := do(t, c, "OPTIONS", s.URL, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Tus-Version") != "" {
		t.Fatalf("OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}
	resp = do(t, c, "POST", s.URL, nil, map[string]string{"Upload-Length": "5"})
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || resp.Header.Get("Tus-Resumable") != "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("POST: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := do(t, c, "HEAD", s.URL+"abc", nil, nil); resp.StatusCode != 404 {
		t.Fatalf("HEAD: %d", resp.StatusCode)
	}
	if resp, _ := patch(c, s.URL+"abc", 0, []byte("x")); resp.StatusCode != 405 {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	s.SetFaults(Faults{NotTus: true, NotTusPOSTStatus: 405})
	if resp := do(t, c, "POST", s.URL, nil, map[string]string{"Upload-Length": "5"}); resp.StatusCode != 405 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	if s.Created() != 0 {
		t.Fatalf("Created = %d", s.Created())
	}
}

// TestSecondPatchInterruptsFirst pins down tusd's locking: a second request
// for an upload does not get 423; it makes tusd stop the PATCH holding the
// lock (which answers 400 ERR_UPLOAD_INTERRUPTED) and then runs itself.
func TestSecondPatchInterruptsFirst(t *testing.T) {
	s := New(t)
	c := client(t, 10*time.Second)
	loc := create(t, c, s.DirectURL, 1<<20, "lock.bin")

	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("PATCH", loc, pr)
	req.ContentLength = 1 << 20
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "0")
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("first PATCH: %v", err)
		}
		first <- resp
	}()
	go pw.Write(randomBytes(100<<10, 8)) // then stall, body unfinished
	for s.BytesReceived() < 100<<10 {
		time.Sleep(5 * time.Millisecond)
	}

	resp, err := patch(c, loc, 0, []byte("late")) // stale offset
	if err != nil || resp.StatusCode != 409 {
		t.Fatalf("second PATCH: %v %v", resp, err)
	}
	r1 := <-first
	if r1 == nil {
		return
	}
	b, _ := io.ReadAll(r1.Body)
	r1.Body.Close()
	if r1.StatusCode != 400 || !strings.HasPrefix(string(b), "ERR_UPLOAD_INTERRUPTED") {
		t.Fatalf("first PATCH: %d %q", r1.StatusCode, b)
	}
	if off := offsetOf(t, c, loc); off != 100<<10 {
		t.Fatalf("offset %d", off)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s := New(t, WithFaults(Faults{BlackholeAfter: 1 << 10, RateLimit: 1 << 20}))
	c := client(t, 0)
	loc := create(t, c, s.DirectURL, 1<<20, "x")
	done := make(chan error, 1)
	go func() {
		_, err := patch(c, s.URL+idOf(loc), 0, randomBytes(1<<20, 9))
		done <- err
	}()
	for s.BytesReceived() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	s.Close()
	if err := <-done; err == nil {
		t.Fatal("PATCH through a black hole succeeded")
	}
	c.Transport.(*http.Transport).CloseIdleConnections()

	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRandomFile(t *testing.T) {
	dir := wine.TempDir(t)
	p1, h1 := RandomFile(t, dir, "a/b.bin", 3<<20+7, 1)
	p2, h2 := RandomFile(t, dir, "c.bin", 3<<20+7, 1)
	_, h3 := RandomFile(t, dir, "d.bin", 3<<20+7, 2)
	if h1 != h2 || h1 == h3 {
		t.Fatal("RandomFile is not a function of the seed")
	}
	if FileSHA256(t, p1) != h1 || FileSHA256(t, p2) != h2 {
		t.Fatal("returned hash differs from the file's")
	}
	if st, err := os.Stat(p1); err != nil || st.Size() != 3<<20+7 {
		t.Fatalf("size: %v %v", st, err)
	}
	if _, h := RandomFile(t, "", "empty", 0, 1); h != sha(nil) {
		t.Fatal("empty file hash")
	}
}

// A creation-with-upload POST cut mid-body: the client sees an error, but
// tusd did create the upload, and Created counts it.
func TestCreatedCountsCutCreation(t *testing.T) {
	s := New(t, WithFaults(Faults{CutEvery: 8 << 10, CutSeed: 1}))
	c := client(t, 10*time.Second)
	data := randomBytes(64<<10, 10)
	_, err := try(c, "POST", s.URL, bytes.NewReader(data), map[string]string{
		"Upload-Length": strconv.Itoa(len(data)),
		"Content-Type":  "application/offset+octet-stream",
	})
	if err == nil {
		t.Fatal("POST through a cut succeeded")
	}
	ups := s.Uploads()
	if s.Created() != 1 || len(ups) != 1 || ups[0].Offset <= 0 || ups[0].Offset >= int64(len(data)) {
		t.Fatalf("Created = %d, uploads = %+v", s.Created(), ups)
	}
	if ups[0].SHA256 != sha(data[:ups[0].Offset]) {
		t.Fatal("stored bytes are not the sent prefix")
	}
}

func TestBlackholeCount(t *testing.T) {
	s := New(t, WithFaults(Faults{BlackholeAfter: 50, BlackholeCount: 2}))
	c := client(t, 300*time.Millisecond)
	loc := create(t, c, s.DirectURL, 1, "x")
	for i := range 3 {
		_, err := try(c, "HEAD", s.URL+idOf(loc), nil, nil)
		if (err != nil) != (i < 2) {
			t.Fatalf("HEAD %d: %v", i, err)
		}
	}
}
