package receiver

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// smallDisk makes the receiver's disk hold only free bytes.
func smallDisk(s *Server, free int64) {
	s.store.freeSpace = func(string) (int64, error) { return free, nil }
}

func patchBody(t *testing.T, loc string, hdr map[string]string, body []byte) *http.Response {
	t.Helper()
	h := map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
	for k, v := range hdr {
		h[k] = v
	}
	resp, _ := send(t, "PATCH", loc, h, bytes.NewReader(body))
	return resp
}

// TestHugeLengthsCannotWrap: a length near 2^63 is refused like any other
// too large, whatever is owed already, and owes nothing after.
func TestHugeLengthsCannotWrap(t *testing.T) {
	dir := wine.TempDir(t)
	s, files := newTestCfg(t, Config{Dir: dir})
	smallDisk(s, 64<<20)
	huge := strconv.FormatInt(math.MaxInt64, 10)
	if resp, body := send(t, "POST", files, map[string]string{"Upload-Length": huge}, nil); resp.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("Upload-Length 2^63-1 on an empty 64 MB disk: %d %q", resp.StatusCode, body)
	}
	create(t, files, map[string]string{"Upload-Length": strconv.Itoa(40 << 20)})
	for _, length := range []string{huge, strconv.FormatInt(math.MaxInt64-(40<<20), 10), strconv.Itoa(30 << 20)} {
		if resp, body := send(t, "POST", files, map[string]string{"Upload-Length": length}, nil); resp.StatusCode != http.StatusInsufficientStorage {
			t.Fatalf("Upload-Length %s with 40 MB owed: %d %q", length, resp.StatusCode, body)
		}
	}
	if resp, _ := send(t, "POST", files, map[string]string{"Upload-Length": strconv.Itoa(20 << 20)}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("an upload that fits beside the first: %d", resp.StatusCode)
	}
}

// TestDeferredLengthsKeepTheLimits: an upload that has not said its length
// is held to --max-size and to the disk on every byte, by PATCH or by
// creation-with-upload; a length declared late is checked as at creation.
func TestDeferredLengthsKeepTheLimits(t *testing.T) {
	t.Run("max size, by PATCH", func(t *testing.T) {
		dir := wine.TempDir(t)
		var l logs
		_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 1 << 20, Logf: l.logf})
		loc := create(t, files, map[string]string{"Upload-Defer-Length": "1", "Upload-Metadata": meta("filename", "endless.bin")})
		if resp := patchBody(t, loc, nil, make([]byte, 3<<20)); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("3 MB into a deferred upload, limit 1 MB: %d", resp.StatusCode)
		}
		if status, _, _ := head(t, loc); status != http.StatusNotFound {
			t.Fatalf("the refused upload is still there: HEAD %d", status)
		}
		if n := workBytes(t, dir); n != 0 {
			t.Fatalf("%d bytes kept in the work folder", n)
		}
		if log := strings.Join(l.get(), "\n"); !strings.Contains(log, "refused endless.bin: over the limit of 1.0 MB before declaring its length; removed") {
			t.Fatalf("console: %s", log)
		}
	})
	t.Run("max size, creation with upload", func(t *testing.T) {
		dir := wine.TempDir(t)
		_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 1 << 20})
		resp, _ := send(t, "POST", files, map[string]string{"Upload-Defer-Length": "1", "Content-Type": "application/offset+octet-stream"}, bytes.NewReader(make([]byte, 3<<20)))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("creation with 3 MB, limit 1 MB: %d", resp.StatusCode)
		}
		if n := workBytes(t, dir); n != 0 {
			t.Fatalf("%d bytes kept in the work folder", n)
		}
	})
	t.Run("disk, by PATCH", func(t *testing.T) {
		dir := wine.TempDir(t)
		s, files := newTestCfg(t, Config{Dir: dir})
		smallDisk(s, 4<<20)
		loc := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
		if resp := patchBody(t, loc, nil, make([]byte, 10<<20)); resp.StatusCode != http.StatusInsufficientStorage {
			t.Fatalf("10 MB into a deferred upload on a 4 MB disk: %d", resp.StatusCode)
		}
		if n := workBytes(t, dir); n > 4<<20-reserve+1<<10 {
			t.Fatalf("%d bytes written on a 4 MB disk", n)
		}
	})
	t.Run("a declared length blocks no one", func(t *testing.T) {
		dir := wine.TempDir(t)
		s, files := newTestCfg(t, Config{Dir: dir})
		smallDisk(s, 64<<20)
		loc := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
		if resp := patchBody(t, loc, map[string]string{"Upload-Length": "4611686018427387904"}, nil); resp.StatusCode != http.StatusInsufficientStorage {
			t.Fatalf("declaring 2^62 on a 64 MB disk: %d", resp.StatusCode)
		}
		if resp, _ := send(t, "POST", files, map[string]string{"Upload-Length": "1"}, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("a 1-byte creation after the refused declaration: %d", resp.StatusCode)
		}
		// The same upload may still declare a length that fits, and finish.
		if resp := patchBody(t, loc, map[string]string{"Upload-Length": "5"}, []byte("hello")); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("declaring 5 bytes: %d", resp.StatusCode)
		}
	})
}

// TestConcatenationCheckedBeforeAssembly: a final upload naming a part
// twice is refused, and one whose parts add up to more than --max-size is
// refused before a byte is copied.
func TestConcatenationCheckedBeforeAssembly(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 3 << 10})
	part := func() string {
		loc := create(t, files, map[string]string{"Upload-Length": strconv.Itoa(2 << 10), "Upload-Concat": "partial"})
		patch(t, loc, 0, randBytes(2<<10))
		return loc
	}
	a, b := part(), part()
	before := workFiles(t, dir)
	resp, body := send(t, "POST", files, map[string]string{"Upload-Concat": "final;" + a + " " + a}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "more than once") {
		t.Fatalf("a part named twice: %d %q", resp.StatusCode, body)
	}
	resp, body = send(t, "POST", files, map[string]string{"Upload-Concat": "final;" + a + " " + b}, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("4 KiB of parts, limit 3 KiB: %d %q", resp.StatusCode, body)
	}
	if after := workFiles(t, dir); len(after) != len(before) {
		t.Fatalf("work folder before %q, after %q", before, after)
	}
}

// TestRefusalsAreLoggedBoundedly: however many requests a client sends,
// each with other words (Host names here), a kind of refusal is said once
// a minute, the next line counting the rest.
func TestRefusalsAreLoggedBoundedly(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTestCfg(t, Config{Dir: dir, Logf: l.logf})
	for i := range 500 {
		req, _ := http.NewRequest("POST", files, nil)
		req.Host = "attacker" + strconv.Itoa(i) + ".example"
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusMisdirectedRequest && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a foreign Host: %d", resp.StatusCode)
		}
	}
	n := 0
	for _, line := range l.get() {
		if strings.Contains(line, "refused a request") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d lines for 500 refusals of one kind:\n%s", n, strings.Join(l.get(), "\n"))
	}
}

// TestParallelUnknownLengthsShareTheRoom: writes of uploads whose length
// is not yet known share the disk's spare room; each is not given all of
// it, so together they cannot fill the disk.
func TestParallelUnknownLengthsShareTheRoom(t *testing.T) {
	dir := wine.TempDir(t)
	s, files := newTestCfg(t, Config{Dir: dir})
	smallDisk(s, 8<<20)
	first := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
	second := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
	pw, answered := openPatch(first)
	pw.Write(make([]byte, 1<<20))
	waitSize(t, filepath.Join(dir, WorkDirName, first[strings.LastIndex(first, "/")+1:]), 1<<20) // it holds its room
	if resp := patchBody(t, second, nil, make([]byte, 2<<20)); resp.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("a second write while the first holds the room: %d", resp.StatusCode)
	}
	pw.Close()
	if code := <-answered; code != http.StatusNoContent {
		t.Fatalf("the first write: %d", code)
	}
	if resp := patchBody(t, second, nil, make([]byte, 2<<20)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the second write once the first is done: %d", resp.StatusCode)
	}
}

// TestChunkedBodyOverTheLimitIsRemoved: an upload of unknown length sent
// a chunked body over --max-size is refused and removed, as one with a
// Content-Length is.
func TestChunkedBodyOverTheLimitIsRemoved(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 1 << 20})
	loc := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
	body := io.MultiReader(bytes.NewReader(make([]byte, 2<<20))) // no length: chunked
	resp, _ := send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a chunked 2 MB body, limit 1 MB: %d", resp.StatusCode)
	}
	if status, _, _ := head(t, loc); status != http.StatusNotFound {
		t.Fatalf("the refused upload is still there: HEAD %d", status)
	}
	if n := workBytes(t, dir); n != 0 {
		t.Fatalf("%d bytes kept in the work folder", n)
	}
}
