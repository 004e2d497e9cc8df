package receiver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// startTest starts a receiver as ferry serve does (its sweeper runs) on a
// free loopback port and returns its /files/ URL.
func startTest(t *testing.T, cfg Config) string {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s.URL()
}

// workBytes is what the work folder holds on disk.
func workBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(filepath.Join(dir, WorkDirName), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func TestParallelPartsDeletedOnceAssembled(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	a, b := randBytes(1<<20), randBytes(700000)
	locA := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": strconv.Itoa(len(a))})
	locB := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": strconv.Itoa(len(b))})
	patch(t, locA, 0, a)
	patch(t, locB, 0, b)
	final := create(t, files, map[string]string{"Upload-Concat": "final;" + locA + " " + locB, "Upload-Metadata": meta("filename", "whole.bin")})

	sameContent(t, filepath.Join(dir, "whole.bin"), append(slices.Clone(a), b...))
	if n := workBytes(t, dir); n > 4096 {
		t.Fatalf("work folder still holds %d bytes: %q", n, workFiles(t, dir))
	}
	for _, loc := range []string{locA, locB} {
		if status, _, _ := head(t, loc); status != http.StatusNotFound {
			t.Errorf("part %s: HEAD %d", loc, status)
		}
	}
	n := strconv.Itoa(len(a) + len(b))
	if status, off, length := head(t, final); status != 200 || off != n || length != n {
		t.Fatalf("HEAD final: %d %s/%s", status, off, length)
	}
}

// The finished file is moved, not linked: it is on the disk once, and
// deleting it from the receive folder frees the space. HEAD still says
// complete from the records left in the work folder.
func TestFinishedFileIsStoredOnce(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	data := randBytes(2 << 20)
	loc := upload(t, files, data, meta("filename", "big.bin"))
	path := filepath.Join(dir, "big.bin")
	sameContent(t, path, data)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range workFiles(t, dir) {
		if wi, err := os.Stat(filepath.Join(dir, WorkDirName, name)); err == nil && os.SameFile(fi, wi) {
			t.Fatalf("%s is also the work file %s", path, name)
		}
	}
	if n := workBytes(t, dir); n > 4096 {
		t.Fatalf("work folder holds %d bytes: %q", n, workFiles(t, dir))
	}
	os.Remove(path)
	n := strconv.Itoa(len(data))
	if status, off, length := head(t, loc); status != 200 || off != n || length != n {
		t.Fatalf("HEAD after the file was deleted: %d %s/%s", status, off, length)
	}
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("HEAD placed it again: %q", got)
	}
	// A late PATCH at the end is answered, not an error.
	resp := tusReq(t, "PATCH", loc, map[string]string{"Upload-Offset": n, "Content-Type": "application/offset+octet-stream"}, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("late PATCH: %d", resp.StatusCode)
	}
	if resp := tusReq(t, "DELETE", loc, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder after DELETE: %q", w)
	}
}

func TestIdleUploadsExpire(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	files := startTest(t, Config{Dir: dir, ExpireIdle: 400 * time.Millisecond, Logf: l.logf})
	s, _ := New(Config{Dir: dir}) // only to check the default
	if s.expireIdle != 24*time.Hour {
		t.Fatalf("default expiry %v", s.expireIdle)
	}
	if resp, _ := send(t, "OPTIONS", files, nil, nil); !strings.HasSuffix(resp.Header.Get("Tus-Extension"), ",expiration") {
		t.Fatalf("Tus-Extension %q", resp.Header.Get("Tus-Extension"))
	}

	expires := func(resp *http.Response) time.Time {
		t.Helper()
		e, err := http.ParseTime(resp.Header.Get("Upload-Expires"))
		if err != nil {
			t.Fatalf("Upload-Expires %q: %v", resp.Header.Get("Upload-Expires"), err)
		}
		if d := time.Until(e); d < -time.Second || d > 2*time.Second {
			t.Fatalf("Upload-Expires %v is %v away", e, d)
		}
		return e
	}
	resp, _ := send(t, "POST", files, map[string]string{"Upload-Length": "100", "Upload-Metadata": meta("filename", "idle.bin")}, nil)
	expires(resp)
	idle := resp.Header.Get("Location")
	resp, _ = send(t, "PATCH", idle, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, strings.NewReader("half"))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	expires(resp)
	part := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": "3"})
	patch(t, part, 0, []byte("abc"))
	// A finished upload does not expire, and is not said to.
	resp, _ = send(t, "POST", files, map[string]string{"Upload-Length": "2", "Upload-Metadata": meta("filename", "kept.txt"),
		"Content-Type": "application/offset+octet-stream"}, strings.NewReader("ok"))
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Upload-Expires") != "" {
		t.Fatalf("finished upload: %d, Upload-Expires %q", resp.StatusCode, resp.Header.Get("Upload-Expires"))
	}
	kept := resp.Header.Get("Location")

	deadline := time.Now().Add(5 * time.Second)
	for {
		s1, _, _ := head(t, idle)
		s2, _, _ := head(t, part)
		if s1 == http.StatusNotFound && s2 == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("idle uploads still there: HEAD %d, part %d; work %q", s1, s2, workFiles(t, dir))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status, off, _ := head(t, kept); status != 200 || off != "2" {
		t.Fatalf("finished upload: HEAD %d %s", status, off)
	}
	sameContent(t, filepath.Join(dir, "kept.txt"), []byte("ok"))
	if n := workBytes(t, dir); n > 4096 {
		t.Fatalf("work folder: %q", workFiles(t, dir))
	}
	if log := strings.Join(l.get(), "\n"); !strings.Contains(log, "removed idle.bin: idle for over 400ms (4 B of 100 B received)") {
		t.Fatalf("console: %s", log)
	}
}

// A busy upload is not idle however old its last byte: the sweeper never
// removes one while a request is running.
func TestRunningUploadDoesNotExpire(t *testing.T) {
	dir := wine.TempDir(t)
	files := startTest(t, Config{Dir: dir, ExpireIdle: 200 * time.Millisecond})
	loc := create(t, files, map[string]string{"Upload-Length": "10", "Upload-Metadata": meta("filename", "slow.txt")})
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		resp, _ := send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, pr)
		done <- resp.StatusCode
	}()
	pw.Write([]byte("01234"))
	time.Sleep(800 * time.Millisecond)
	pw.Write([]byte("56789"))
	pw.Close()
	if status := <-done; status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	sameContent(t, filepath.Join(dir, "slow.txt"), []byte("0123456789"))
}

func TestFailedCreationsLeaveNothing(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 1000})
	done := upload(t, files, []byte("whole"), meta("filename", "done.txt"))
	before := workFiles(t, dir)

	cases := map[string]map[string]string{
		"body longer than Upload-Length": {"Upload-Length": "3", "Content-Type": "application/offset+octet-stream"},
		"over --max-size":                {"Upload-Length": "1001"},
		"metadata too large":             {"Upload-Length": "3", "Upload-Metadata": meta("filename", strings.Repeat("x", 5000))},
		"concatenating a finished file":  {"Upload-Concat": "final;" + done},
		"not a number":                   {"Upload-Length": "-5"},
	}
	for what, hdr := range cases {
		resp, body := send(t, "POST", files, hdr, strings.NewReader("too long"))
		if resp.StatusCode < 400 {
			t.Errorf("%s: %d", what, resp.StatusCode)
		}
		if strings.Contains(body, dir) {
			t.Errorf("%s: body names a server path: %q", what, body)
		}
		if w := workFiles(t, dir); !slices.Equal(w, before) {
			t.Fatalf("%s left %q", what, w)
		}
	}
	if got := visible(t, dir); !slices.Equal(got, []string{"done.txt"}) {
		t.Fatalf("Dir holds %q", got)
	}
}

func TestMaxSizeAdvertisedAndKept(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 1000, Logf: l.logf})
	resp, _ := send(t, "OPTIONS", files, nil, nil)
	if resp.Header.Get("Tus-Max-Size") != "1000" {
		t.Fatalf("Tus-Max-Size %q", resp.Header.Get("Tus-Max-Size"))
	}
	resp, body := send(t, "POST", files, map[string]string{"Upload-Length": "1001", "Upload-Metadata": meta("filename", "huge.iso")}, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "this receiver accepts files up to 1.0 kB; this one is 1.0 kB") {
		t.Fatalf("POST 1001: %d %q", resp.StatusCode, body)
	}
	upload(t, files, randBytes(1000), meta("filename", "fits.bin"))
	// A length declared late is held to the limit too.
	loc := create(t, files, map[string]string{"Upload-Defer-Length": "1"})
	resp, _ = send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Upload-Length": "5000", "Content-Type": "application/offset+octet-stream"}, strings.NewReader("x"))
	if resp.StatusCode < 400 {
		t.Fatalf("deferred length over the limit: %d", resp.StatusCode)
	}
	if log := strings.Join(l.get(), "\n"); !strings.Contains(log, "refused huge.iso (1.0 kB): larger than the limit of 1.0 kB") {
		t.Fatalf("console: %s", log)
	}
}

func TestFreeSpaceCheckedAtCreation(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTestCfg(t, Config{Dir: dir, Logf: l.logf})
	resp, body := send(t, "POST", files, map[string]string{"Upload-Length": strconv.FormatInt(1<<60, 10), "Upload-Metadata": meta("filename", "exabyte.bin")}, nil)
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(body, "not enough space on the receiver: the file needs 1.2 EB and") {
		t.Fatalf("1 EiB: %d %q", resp.StatusCode, body)
	}
	// Space promised to an unfinished upload is not promised twice.
	free, err := freeSpace(filepath.Join(dir, WorkDirName))
	if err != nil {
		t.Skip(err)
	}
	big := free - 8<<20 - reserve
	create(t, files, map[string]string{"Upload-Length": strconv.FormatInt(big, 10)})
	resp, body = send(t, "POST", files, map[string]string{"Upload-Length": strconv.Itoa(32 << 20)}, nil)
	if resp.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("second upload beyond the free space: %d %q", resp.StatusCode, body)
	}
	if log := strings.Join(l.get(), "\n"); !strings.Contains(log, "refused exabyte.bin (1.2 EB): not enough space") {
		t.Fatalf("console: %s", log)
	}
	if n := len(workFiles(t, dir)); n != 2 {
		t.Fatalf("work folder: %q", workFiles(t, dir))
	}
}

func TestMetadataLargerThanAFewKiBRefused(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	resp, body := send(t, "POST", files, map[string]string{"Upload-Length": "1", "Upload-Metadata": meta("filename", "a.txt", "junk", strings.Repeat("j", 6000))}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Upload-Metadata is larger than 4 KiB") {
		t.Fatalf("6 KB metadata: %d %q", resp.StatusCode, body)
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder: %q", w)
	}
	create(t, files, map[string]string{"Upload-Length": "1", "Upload-Metadata": meta("filename", strings.Repeat("n", 200), "type", "video/mp4", "note", strings.Repeat("k", 2000))})
}

// noLength hides a body's length, so the client sends it chunked.
type noLength struct{ io.Reader }

// A chunked body longer than Upload-Length is refused whole: what fitted is
// the start of something else, never a finished file.
func TestChunkedBodyLongerThanLengthRefused(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTestCfg(t, Config{Dir: dir, Logf: l.logf})
	loc := create(t, files, map[string]string{"Upload-Length": "100", "Upload-Metadata": meta("filename", "short.bin")})
	patch(t, loc, 0, bytes.Repeat([]byte("a"), 40))
	resp, _ := send(t, "PATCH", loc, map[string]string{"Upload-Offset": "40", "Content-Type": "application/offset+octet-stream"},
		noLength{bytes.NewReader(bytes.Repeat([]byte("b"), 110))})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	if status, _, _ := head(t, loc); status != http.StatusNotFound {
		t.Fatalf("HEAD after the refusal: %d", status)
	}
	resp, _ = send(t, "POST", files, map[string]string{"Upload-Length": "10", "Upload-Metadata": meta("filename", "short2.bin"),
		"Content-Type": "application/offset+octet-stream"}, noLength{strings.NewReader("0123456789 and more")})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("published truncated: %q", got)
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder: %q", w)
	}
	// Exactly the right length, chunked, is fine.
	loc = create(t, files, map[string]string{"Upload-Length": "5", "Upload-Metadata": meta("filename", "exact.bin")})
	resp, _ = send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, noLength{strings.NewReader("exact")})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("exact PATCH: %d", resp.StatusCode)
	}
	sameContent(t, filepath.Join(dir, "exact.bin"), []byte("exact"))
	if log := strings.Join(l.get(), "\n"); !strings.Contains(log, "refused short.bin: the client sent more than its Upload-Length of 100 B") {
		t.Fatalf("console: %s", log)
	}
}

// Disk errors reach the client as sentences without the server's paths,
// and the console says what failed, a full disk included.
func TestDiskErrorsShowNoPaths(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTestCfg(t, Config{Dir: dir, Logf: l.logf})
	loc := create(t, files, map[string]string{"Upload-Length": "100000", "Upload-Metadata": meta("filename", "broken.bin")})
	data := filepath.Join(dir, WorkDirName, loc[strings.LastIndex(loc, "/")+1:])
	os.Remove(data)
	os.Mkdir(data, 0o755) // the data file became a folder
	_, off, _ := head(t, loc)
	resp, body := send(t, "PATCH", loc, map[string]string{"Upload-Offset": off, "Content-Type": "application/offset+octet-stream"}, strings.NewReader("abc"))
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, dir) || !strings.Contains(body, "is a directory") {
		t.Fatalf("PATCH: %d %q", resp.StatusCode, body)
	}

	if _, err := os.Stat("/dev/full"); err != nil || runtime.GOOS == "windows" { // (Wine shows Linux's /dev as Z:\dev)
		t.Skip("no /dev/full to fill")
	}
	loc = create(t, files, map[string]string{"Upload-Length": "100", "Upload-Metadata": meta("filename", "full.bin")})
	data = filepath.Join(dir, WorkDirName, loc[strings.LastIndex(loc, "/")+1:])
	os.Remove(data)
	os.Symlink("/dev/full", data) // every write: no space left on device
	resp, body = send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, strings.NewReader("abc"))
	if resp.StatusCode != http.StatusInsufficientStorage || strings.Contains(body, dir) || !strings.Contains(body, "disk is full") {
		t.Fatalf("PATCH on a full disk: %d %q", resp.StatusCode, body)
	}
	log := strings.Join(l.get(), "\n")
	for _, want := range []string{"failed broken.bin: cannot write: is a directory", "failed full.bin: the disk is full (0 B of 100 B received)"} {
		if !strings.Contains(log, want) {
			t.Errorf("console lacks %q:\n%s", want, log)
		}
	}
}

// Many parallel uploads finish with their own content under their own
// names, and leave no parts behind.
func TestParallelUploadsAtOnce(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			data := randBytes(300000 + i)
			var locs []string
			for off := 0; off < len(data); off += 100000 {
				part := data[off:min(off+100000, len(data))]
				loc := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": strconv.Itoa(len(part))})
				patch(t, loc, 0, part)
				locs = append(locs, loc)
			}
			create(t, files, map[string]string{"Upload-Concat": "final;" + strings.Join(locs, " "), "Upload-Metadata": meta("filename", "p"+strconv.Itoa(i))})
			sameContent(t, filepath.Join(dir, "p"+strconv.Itoa(i)), data)
		})
	}
	wg.Wait()
	if n := workBytes(t, dir); n > 6*4096 {
		t.Fatalf("work folder holds %d bytes", n)
	}
}
