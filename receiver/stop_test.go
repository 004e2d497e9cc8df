package receiver

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// Stopping with an upload running takes well under a second, keeps what
// arrived, and the upload resumes on the next start.
func TestShutdownWithUploadRunningIsQuickAndResumable(t *testing.T) {
	dir := wine.TempDir(t)
	s, err := New(Config{Dir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	data := randBytes(4 << 20)
	loc := create(t, s.URL(), map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": meta("filename", "long.bin")})
	id := loc[strings.LastIndex(loc, "/")+1:]

	pw, answered := openPatch(loc)
	pw.Write(data[:1<<20]) // then the client stalls, as over a slow link
	waitSize(t, filepath.Join(dir, WorkDirName, id), 1<<20)

	start := time.Now()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF) // the client gives up too
	select {
	case status := <-answered:
		if status != 0 && status != http.StatusServiceUnavailable {
			t.Fatalf("the running PATCH got %d", status)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the running PATCH was never answered")
	}

	s2, err := New(Config{Dir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(); err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(context.Background())
	loc2 := s2.URL() + id
	status, off, _ := head(t, loc2)
	if status != 200 || off != strconv.Itoa(1<<20) {
		t.Fatalf("HEAD after restart: %d offset %s", status, off)
	}
	patch(t, loc2, 1<<20, data[1<<20:])
	sameContent(t, filepath.Join(dir, "long.bin"), data)
}

// openPatch starts a PATCH at offset 0 of loc whose body is what the test
// writes to pw, until it closes pw; answered gets its status (0: no
// answer).
func openPatch(loc string) (pw *io.PipeWriter, answered <-chan int) {
	pr, pw := io.Pipe()
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("PATCH", loc, pr)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	return pw, status
}

func waitSize(t *testing.T, path string, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, err := os.Stat(path); err == nil && st.Size() >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached %d bytes", path, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A client that sends its headers and nothing more does not hold the stop.
func TestShutdownWithSilentClient(t *testing.T) {
	s, err := New(Config{Dir: wine.TempDir(t), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	loc := create(t, s.URL(), map[string]string{"Upload-Length": "100"})
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		req, _ := http.NewRequest("PATCH", loc, io.MultiReader(bytes.NewReader(nil), pr))
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	s.Shutdown(context.Background())
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
}

// A crash between the .done marker and the removal of the work copy left
// the data twice on the name table (the published file is a hard link of
// it): the next sweep gives the space back, and the published file stays
// whole.
func TestSweepFinishesAPublishACrashCutShort(t *testing.T) {
	dir := wine.TempDir(t)
	s, files := newTest(t, dir, nil)
	data := randBytes(4096)
	loc := upload(t, files, data, "filename "+base64.StdEncoding.EncodeToString([]byte("cut.bin")))
	id := path.Base(loc)
	// As the crash left it: the work name of the data, back.
	if err := os.Link(filepath.Join(dir, "cut.bin"), s.store.path(id)); err != nil {
		t.Fatal(err)
	}
	s.tidy(true)
	if _, err := os.Stat(s.store.path(id)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the work copy is still there: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "cut.bin")); !bytes.Equal(got, data) {
		t.Fatal("the published file changed")
	}
	if st, _, _ := head(t, loc); st != http.StatusOK {
		t.Fatalf("HEAD after the sweep: %d", st)
	}
	if n := len(entriesOf(t, dir)); n != 2 { // the file and the work folder
		t.Fatalf("%d entries in the receive folder", n)
	}
}

func entriesOf(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}
