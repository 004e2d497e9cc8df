package receiver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/wine"
)

// --- a minimal tus 1.0 client on plain net/http ---

func tusReq(t *testing.T, method, url string, hdr map[string]string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func meta(kv ...string) string {
	var parts []string
	for i := 0; i < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// create POSTs a new upload and returns its URL.
func create(t *testing.T, filesURL string, hdr map[string]string) string {
	t.Helper()
	resp := tusReq(t, "POST", filesURL, hdr, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatal("POST: no Location")
	}
	return loc
}

func patch(t *testing.T, loc string, offset int, data []byte) {
	t.Helper()
	resp := tusReq(t, "PATCH", loc, map[string]string{
		"Upload-Offset": strconv.Itoa(offset),
		"Content-Type":  "application/offset+octet-stream",
	}, data)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PATCH at %d: status %d", offset, resp.StatusCode)
	}
	if got := resp.Header.Get("Upload-Offset"); got != strconv.Itoa(offset+len(data)) {
		t.Fatalf("PATCH: Upload-Offset %s, want %d", got, offset+len(data))
	}
}

// upload sends data in chunks and returns the upload URL.
func upload(t *testing.T, filesURL string, data []byte, md string) string {
	t.Helper()
	loc := create(t, filesURL, map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": md})
	const chunk = 1 << 20
	for off := 0; off < len(data); off += chunk {
		patch(t, loc, off, data[off:min(off+chunk, len(data))])
	}
	return loc
}

func head(t *testing.T, loc string) (status int, offset, length string) {
	t.Helper()
	resp := tusReq(t, "HEAD", loc, nil, nil)
	return resp.StatusCode, resp.Header.Get("Upload-Offset"), resp.Header.Get("Upload-Length")
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// newTest starts a receiver on dir behind httptest and returns its /files/ URL.
func newTest(t *testing.T, dir string, l *logs) (*Server, string) {
	t.Helper()
	cfg := Config{Dir: dir}
	if l != nil {
		cfg.Logf = l.logf
	}
	return newTestCfg(t, cfg)
}

// newTestCfg is newTest with any Config.
func newTestCfg(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts.URL + "/files/"
}

// visible lists Dir without the work folder.
func visible(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != WorkDirName {
			names = append(names, e.Name())
		}
	}
	return names
}

func sameContent(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Fatalf("%s: content differs (got %d bytes, want %d)", path, len(got), len(want))
	}
}

// --- tests ---

func TestFileArrivesWholeAndStaysComplete(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTest(t, dir, &l)
	data := randBytes(3<<20 + 12345)

	loc := upload(t, files, data, meta("filename", "movie.mp4", "filetype", "video/mp4"))

	sameContent(t, filepath.Join(dir, "movie.mp4"), data)
	if got := visible(t, dir); !slices.Equal(got, []string{"movie.mp4"}) {
		t.Fatalf("Dir holds %q", got)
	}
	// A client that crashed before noting "done" must see it complete.
	status, off, length := head(t, loc)
	if status != http.StatusOK || off != strconv.Itoa(len(data)) || length != off {
		t.Fatalf("HEAD after completion: %d offset=%s length=%s", status, off, length)
	}
	// ... and a late PATCH must not publish it again.
	tusReq(t, "PATCH", loc, map[string]string{"Upload-Offset": off, "Content-Type": "application/offset+octet-stream"}, nil)
	if got := visible(t, dir); len(got) != 1 {
		t.Fatalf("Dir holds %q after repeated PATCH", got)
	}
	if lines := l.get(); len(lines) != 1 || !strings.HasPrefix(lines[0], "received movie.mp4 (3.2 MB) from 127.0.0.1") {
		t.Fatalf("log lines %q", lines)
	}
}

func TestCreationWithUpload(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	data := randBytes(70000)
	resp := tusReq(t, "POST", files, map[string]string{
		"Upload-Length":   strconv.Itoa(len(data)),
		"Upload-Metadata": meta("name", "notes.txt"),
		"Content-Type":    "application/offset+octet-stream",
	}, data)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("POST with body: %d offset=%s", resp.StatusCode, resp.Header.Get("Upload-Offset"))
	}
	sameContent(t, filepath.Join(dir, "notes.txt"), data)
}

func TestZeroByteUpload(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	loc := create(t, files, map[string]string{"Upload-Length": "0", "Upload-Metadata": meta("filename", "empty.txt")})
	sameContent(t, filepath.Join(dir, "empty.txt"), nil)
	if status, off, length := head(t, loc); status != 200 || off != "0" || length != "0" {
		t.Fatalf("HEAD: %d %s/%s", status, off, length)
	}
}

func TestHostileNamesStayInside(t *testing.T) {
	root := wine.TempDir(t)
	dir := filepath.Join(root, "in")
	_, files := newTest(t, dir, nil)
	cases := map[string]string{
		"../../x":       "x",
		"/etc/passwd":   "passwd",
		"a\x00b\nc.mp4": "abc.mp4",
		"..":            "upload-",
		"":              "upload-",
		`..\..\win.txt`: "win.txt",
	}
	for name, want := range cases {
		data := []byte("payload for " + name)
		loc := upload(t, files, data, meta("filename", name))
		if strings.HasSuffix(want, "-") {
			want += loc[strings.LastIndex(loc, "/")+1:]
		}
		sameContent(t, filepath.Join(dir, want), data)
	}
	if got := visible(t, dir); len(got) != len(cases) {
		t.Fatalf("Dir holds %q", got)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Fatalf("something was written next to Dir: %v", entries)
	}
}

// TestNamesWindowsReservesArriveAsFiles: names that are devices on Windows
// (CON, aux.mp4) or that Windows cannot hold (a colon, a trailing dot)
// arrive as ordinary files, each with its bytes; on Windows nothing is
// written to a device.
func TestNamesWindowsReservesArriveAsFiles(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	cases := map[string]string{
		"CON":         "_CON",
		"aux.mp4":     "_aux.mp4",
		"nul.txt":     "_nul.txt",
		"COM1.mov":    "_COM1.mov",
		"lpt9":        "_lpt9",
		"CONOUT$.mp4": "_CONOUT$.mp4",
		"COM².mp4":    "_COM².mp4",
		"clip.mp4.":   "clip.mp4",
		"take 2.mp4 ": "take 2.mp4",
		"a:b.mp4":     "a_b.mp4",
		"x|y?.mov":    "x_y_.mov",
	}
	for name, want := range cases {
		data := []byte("payload for " + name)
		upload(t, files, data, meta("filename", name))
		sameContent(t, filepath.Join(dir, want), data)
	}
	if got := visible(t, dir); len(got) != len(cases) {
		t.Fatalf("Dir holds %q", got)
	}
}

func TestSameNameGetsNumbered(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	a, b := randBytes(1000), randBytes(2000)
	upload(t, files, a, meta("filename", "same.mp4"))
	upload(t, files, b, meta("filename", "same.mp4"))
	sameContent(t, filepath.Join(dir, "same.mp4"), a)
	sameContent(t, filepath.Join(dir, "same (1).mp4"), b)
}

func TestConcurrentSameNameNeverOverwrites(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	const n = 8
	want := map[[32]byte]bool{}
	datas := make([][]byte, n)
	for i := range datas {
		datas[i] = randBytes(50000 + i)
		want[sha256.Sum256(datas[i])] = true
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { upload(t, files, datas[i], meta("filename", "clip.mov")) })
	}
	wg.Wait()
	got := visible(t, dir)
	if len(got) != n {
		t.Fatalf("Dir holds %q", got)
	}
	for _, name := range got {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if !want[sha256.Sum256(b)] {
			t.Fatalf("%s has unexpected content", name)
		}
		delete(want, sha256.Sum256(b))
	}
}

func TestResumeAfterRestart(t *testing.T) {
	dir := wine.TempDir(t)
	s1, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts1 := httptest.NewServer(s1.Handler())
	data := randBytes(300000)
	loc := create(t, ts1.URL+"/files/", map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": meta("filename", "resume.bin")})
	patch(t, loc, 0, data[:120000])
	ts1.Close()

	_, files := newTest(t, dir, nil)
	loc2 := files + loc[strings.LastIndex(loc, "/")+1:]
	if status, off, length := head(t, loc2); status != 200 || off != "120000" || length != "300000" {
		t.Fatalf("HEAD after restart: %d offset=%s length=%s", status, off, length)
	}
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("unfinished upload visible: %q", got)
	}
	patch(t, loc2, 120000, data[120000:])
	sameContent(t, filepath.Join(dir, "resume.bin"), data)
}

func TestConcatenation(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTest(t, dir, &l)
	a, b := randBytes(1<<20+7), randBytes(654321)
	locA := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": strconv.Itoa(len(a)), "Upload-Metadata": meta("filename", "part-a")})
	locB := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": strconv.Itoa(len(b))})
	var wg sync.WaitGroup
	wg.Go(func() { patch(t, locA, 0, a) })
	wg.Go(func() { patch(t, locB, 0, b) })
	wg.Wait()
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("partial uploads became files: %q", got)
	}

	final := create(t, files, map[string]string{"Upload-Concat": "final;" + locA + " " + locB, "Upload-Metadata": meta("filename", "whole.bin")})

	sameContent(t, filepath.Join(dir, "whole.bin"), append(slices.Clone(a), b...))
	if got := visible(t, dir); !slices.Equal(got, []string{"whole.bin"}) {
		t.Fatalf("Dir holds %q", got)
	}
	n := strconv.Itoa(len(a) + len(b))
	if status, off, length := head(t, final); status != 200 || off != n || length != n {
		t.Fatalf("HEAD final: %d offset=%s length=%s", status, off, length)
	}
	if lines := l.get(); len(lines) != 1 {
		t.Fatalf("log lines %q", lines)
	}
}

// tusd fires the finish callback twice for an empty final upload.
func TestEmptyConcatenationPublishesOnce(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTest(t, dir, &l)
	locA := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": "0"})
	locB := create(t, files, map[string]string{"Upload-Concat": "partial", "Upload-Length": "0"})
	create(t, files, map[string]string{"Upload-Concat": "final;" + locA + " " + locB, "Upload-Metadata": meta("filename", "nothing")})
	if got := visible(t, dir); !slices.Equal(got, []string{"nothing"}) {
		t.Fatalf("Dir holds %q", got)
	}
	if lines := l.get(); len(lines) != 1 {
		t.Fatalf("log lines %q", lines)
	}
}

func TestTermination(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	loc := create(t, files, map[string]string{"Upload-Length": "100", "Upload-Metadata": meta("filename", "gone.bin")})
	patch(t, loc, 0, randBytes(40))
	if resp := tusReq(t, "DELETE", loc, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	if status, _, _ := head(t, loc); status != http.StatusNotFound {
		t.Fatalf("HEAD after DELETE: %d", status)
	}
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("Dir holds %q", got)
	}
}

func TestCORSPreflight(t *testing.T) {
	_, files := newTestCfg(t, Config{Dir: wine.TempDir(t), AllowOrigins: []string{"http://example.com"}})
	req, _ := http.NewRequest("OPTIONS", files, nil)
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://example.com" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Upload-Concat") {
		t.Fatalf("CORS headers missing: %v", resp.Header)
	}
}

// A crash between the last write and placing the file must not lose it.
func TestStartupPlacesFinishedUpload(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	data := randBytes(5000)
	loc := upload(t, files, data, meta("filename", "crash.bin"))
	id := loc[strings.LastIndex(loc, "/")+1:]
	unplace(t, dir, "crash.bin", id)

	newTest(t, dir, nil)
	sameContent(t, filepath.Join(dir, "crash.bin"), data)
}

// unplace puts the disk back as it was after the last byte arrived but
// before the file was placed: data in the work folder, no marker.
func unplace(t *testing.T, dir, name, id string) {
	t.Helper()
	if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, WorkDirName, id)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, WorkDirName, id+doneSuffix))
}

// If placing failed when the upload finished, a later HEAD places it before
// answering "complete".
func TestHeadPlacesFinishedUpload(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	data := randBytes(5000)
	loc := upload(t, files, data, meta("filename", "late.bin"))
	id := loc[strings.LastIndex(loc, "/")+1:]
	unplace(t, dir, "late.bin", id)

	if status, off, _ := head(t, loc); status != 200 || off != "5000" {
		t.Fatalf("HEAD: %d offset=%s", status, off)
	}
	sameContent(t, filepath.Join(dir, "late.bin"), data)
}

func TestStartAndAddressInUse(t *testing.T) {
	s1, err := New(Config{Dir: wine.TempDir(t), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Start(); err != nil {
		t.Fatal(err)
	}
	defer s1.Shutdown(context.Background())
	u := s1.URL()
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/files/") || strings.HasSuffix(u, ":0/files/") {
		t.Fatalf("URL %q", u)
	}
	create(t, u, map[string]string{"Upload-Length": "10"})

	_, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/files/"))
	s2, err := New(Config{Dir: wine.TempDir(t), Listen: "127.0.0.1:" + port})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Start()
	want := "Port " + port + " on 127.0.0.1 is already in use; pick another with --listen."
	if err == nil || err.Error() != want {
		t.Fatalf("Start: %v, want %q", err, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNewErrors(t *testing.T) {
	file := filepath.Join(wine.TempDir(t), "file")
	os.WriteFile(file, nil, 0o644)
	_, err := New(Config{Dir: filepath.Join(file, "sub")})
	_, osErr := os.Stat(filepath.Join(file, "sub")) // the system's own words for it
	if err == nil || !strings.HasPrefix(err.Error(), "Cannot create the receive folder ") || !strings.HasSuffix(err.Error(), ": "+fault.Cause(osErr)+".") {
		t.Fatalf("New: %v", err)
	}
	if _, err := New(Config{Dir: wine.TempDir(t), Listen: "1080"}); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("New with bad listen: %v", err)
	}
}

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("é", 150) + ".mp4" // 304 bytes
	for _, c := range []struct{ in, want string }{
		{"movie.mp4", "movie.mp4"},
		{"../../x", "x"},
		{"/etc/passwd", "passwd"},
		{`C:\Users\me\doc.pdf`, "doc.pdf"},
		{"a\x00b\nc.mp4", "abc.mp4"},
		{"..", "upload"},
		{".", "upload"},
		{"", "upload"},
		{"   ", "upload"},
		{"dir/", "upload"},
		{".bashrc", "bashrc"},
		{". .hidden", "hidden"},
		{"  spaced name .txt  ", "spaced name .txt"},
		{"trailing.", "trailing"},
		{"what?.txt", "what_.txt"},
		{"photo\u202Egpj.exe", "photogpj.exe"},
		{"CON.txt", "_CON.txt"},
		{"com1", "_com1"},
		{"LPT0.bin", "_LPT0.bin"},
		{"COM¹.mp4", "_COM¹.mp4"},
		{"conin$", "_conin$"},
		{"Aux .tar.gz", "_Aux .tar.gz"},
		{"COM10.mp4", "COM10.mp4"},
		{"lpt.mp4", "lpt.mp4"},
		{"comic.mp4", "comic.mp4"},
		{"console.txt", "console.txt"},
		{"bad\xffutf8", "bad_utf8"},
		{"日本語.txt", "日本語.txt"},
		{long, strings.Repeat("é", 98) + ".mp4"},
		{strings.Repeat("a", 300), strings.Repeat("a", 200)},
	} {
		if got := SanitizeName(c.in); got != c.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
