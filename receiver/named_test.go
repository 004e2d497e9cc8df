package receiver

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/internal/wine"
)

// postNamed is a creation naming its upload, with the file in the same
// request if data is not nil.
func postNamed(t *testing.T, files, id, name string, data []byte) (*http.Response, string) {
	t.Helper()
	hdr := map[string]string{idHeader: id, "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": meta("filename", name)}
	if data != nil {
		hdr["Content-Type"] = "application/offset+octet-stream"
	}
	return send(t, "POST", files, hdr, bytes.NewReader(data))
}

// wantTaken checks the answer to a creation whose id is taken.
func wantTaken(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	first, _, _ := strings.Cut(body, "\n")
	if resp.StatusCode != http.StatusConflict || first != "ERR_UPLOAD_ID_TAKEN" || resp.Header.Get("Location") != "" {
		t.Fatalf("repeated creation: %d Location=%q %q", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

func wantComplete(t *testing.T, loc string, n int) {
	t.Helper()
	if status, off, length := head(t, loc); status != http.StatusOK || off != strconv.Itoa(n) || length != off {
		t.Fatalf("HEAD %s: %d offset=%s length=%s, want %d", loc, status, off, length, n)
	}
}

func TestNamedCreation(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	if resp, _ := send(t, "OPTIONS", files, nil, nil); resp.Header.Get(idHeader) != "1" {
		t.Fatalf("OPTIONS: %s %q", idHeader, resp.Header.Get(idHeader))
	}

	id := newID()
	loc := create(t, files, map[string]string{idHeader: id, "Upload-Length": "10", "Upload-Metadata": meta("filename", "named.bin")})
	if !strings.HasSuffix(loc, "/files/"+id) {
		t.Fatalf("Location %q does not end with the id %s", loc, id)
	}
	if status, off, length := head(t, files+id); status != http.StatusOK || off != "0" || length != "10" {
		t.Fatalf("HEAD: %d %s/%s", status, off, length)
	}
	before := workFiles(t, dir)
	// Taken is checked first: a repeat hears 409, not 507 or 413.
	resp, body := send(t, "POST", files, map[string]string{idHeader: id, "Upload-Length": strconv.FormatInt(1<<60, 10)}, nil)
	wantTaken(t, resp, body)
	if w := workFiles(t, dir); !slices.Equal(w, before) {
		t.Fatalf("a refused creation changed the work folder: %q, was %q", w, before)
	}
	patch(t, loc, 0, []byte("0123456789"))
	sameContent(t, filepath.Join(dir, "named.bin"), []byte("0123456789"))

	// Without the header, tusd's flow as before: the store picks the id.
	other := create(t, files, map[string]string{"Upload-Length": "3"})
	if oid := other[strings.LastIndex(other, "/")+1:]; !ownID(oid) || oid == id {
		t.Fatalf("Location without %s: %q", idHeader, other)
	}
}

// The one-request upload of a small file, repeated after a lost answer or
// a crash, never makes a second file.
func TestNamedCreationWithUploadIsOnce(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTest(t, dir, &l)
	data := randBytes(70000)
	id := newID()
	resp, body := postNamed(t, files, id, "small.mov", data)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) || !strings.HasSuffix(resp.Header.Get("Location"), "/files/"+id) {
		t.Fatalf("creation with upload: %d offset=%s Location=%q %q", resp.StatusCode, resp.Header.Get("Upload-Offset"), resp.Header.Get("Location"), body)
	}
	sameContent(t, filepath.Join(dir, "small.mov"), data)
	work := workFiles(t, dir)

	again := func(when string) {
		t.Helper()
		resp, body := postNamed(t, files, id, "small.mov", data)
		wantTaken(t, resp, body)
		wantComplete(t, files+id, len(data))
		// A PATCH from the start is refused; nothing is written.
		resp, _ = send(t, "PATCH", files+id, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, bytes.NewReader(data))
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("%s: PATCH at 0 of a published upload: %d", when, resp.StatusCode)
		}
		if got := visible(t, dir); !slices.Equal(got, []string{"small.mov"}) {
			t.Fatalf("%s: Dir holds %q", when, got)
		}
		if w := workFiles(t, dir); !slices.Equal(w, work) {
			t.Fatalf("%s: work folder %q, was %q", when, w, work)
		}
		if n := workBytes(t, dir); n > 4096 {
			t.Fatalf("%s: the work folder holds %d bytes: the file is kept twice", when, n)
		}
		sameContent(t, filepath.Join(dir, "small.mov"), data)
	}
	again("repeated")
	_, files = newTest(t, dir, &l) // a restart on the same folders
	again("after a restart")
	if lines := l.get(); len(lines) != 1 {
		t.Fatalf("console: %q", lines)
	}
}

func TestNamedIDMalformed(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	id := newID()
	for _, bad := range []string{"", "abc", id[:31], id + "0", strings.ToUpper(id), id[:30] + "0g", "../" + id[3:], id[:31] + " ", "0x" + id[2:]} {
		resp, body := send(t, "POST", files, map[string]string{idHeader: bad, "Upload-Length": "3"}, nil)
		if resp.StatusCode != http.StatusBadRequest || strings.Count(body, "\n") != 1 || !strings.Contains(body, "Ferry-Upload-Id must be exactly 32 lowercase hexadecimal digits") {
			t.Errorf("%s %q: %d %q", idHeader, bad, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("POST", files, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "3")
	req.Header.Add(idHeader, id)
	req.Header.Add(idHeader, newID())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "sent more than once") {
		t.Errorf("two ids: %d %q", resp.StatusCode, b)
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder: %q", w)
	}
	// The id is still free.
	create(t, files, map[string]string{idHeader: id, "Upload-Length": "3"})
}

func TestNamedConcurrentDuplicates(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	const rounds, n = 4, 6
	for r := range rounds {
		id := newID()
		data := randBytes(20000 + r)
		name := "race" + strconv.Itoa(r) + ".bin"
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				resp, _ := postNamed(t, files, id, name, data)
				codes[i] = resp.StatusCode
			})
		}
		wg.Wait()
		slices.Sort(codes)
		if want := append([]int{http.StatusCreated}, slices.Repeat([]int{http.StatusConflict}, n-1)...); !slices.Equal(codes, want) {
			t.Fatalf("round %d: statuses %v", r, codes)
		}
		sameContent(t, filepath.Join(dir, name), data)
		wantComplete(t, files+id, len(data))
	}
	if got := visible(t, dir); len(got) != rounds {
		t.Fatalf("Dir holds %q", got)
	}
}

// The receiver's token applies to named creations as to any: a refused one
// neither creates nor takes the id.
func TestNamedCreationNeedsToken(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, Token: "s3cret"})
	id := newID()
	resp, _ := postNamed(t, files, id, "t.txt", []byte("abc"))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", resp.StatusCode)
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder: %q", w)
	}
	resp, _ = send(t, "POST", files, map[string]string{idHeader: id, "Upload-Length": "3", "Upload-Metadata": meta("filename", "t.txt"),
		"Authorization": "Bearer s3cret", "Content-Type": "application/offset+octet-stream"}, strings.NewReader("abc"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	sameContent(t, filepath.Join(dir, "t.txt"), []byte("abc"))
}

// age sets a record's time back by d, as if the receiver had run that long.
func age(t *testing.T, path string, d time.Duration) {
	t.Helper()
	old := time.Now().Add(-d)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

// A published upload answers "complete" for at least keepDone and at
// least --expire-idle; then only its id is kept, which still refuses a
// repeated creation, until keepGone.
func TestNamedPublishedRemembered(t *testing.T) {
	const day = 24 * time.Hour
	for _, c := range []struct {
		name       string
		idle, kept time.Duration // ExpireIdle; how long "complete" lasts (0: for ever)
	}{
		{"default", 0, keepDone},
		{"long expiry", 30 * day, 30 * day},
		{"never", -1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := wine.TempDir(t)
			s, files := newTestCfg(t, Config{Dir: dir, ExpireIdle: c.idle})
			id := newID()
			if resp, body := postNamed(t, files, id, "kept.txt", []byte("kept")); resp.StatusCode != http.StatusCreated {
				t.Fatalf("creation: %d %q", resp.StatusCode, body)
			}
			done := s.store.donePath(id)
			if c.kept == 0 {
				age(t, done, 10*keepGone)
				s.tidy(false)
				wantComplete(t, files+id, 4)
				return
			}
			age(t, done, c.kept-day)
			s.tidy(false)
			wantComplete(t, files+id, 4)

			age(t, done, c.kept+day)
			s.tidy(false)
			if status, _, _ := head(t, files+id); status != http.StatusNotFound {
				t.Fatalf("HEAD after the records expired: %d", status)
			}
			if w := workFiles(t, dir); !slices.Equal(w, []string{id + goneSuffix}) {
				t.Fatalf("work folder: %q", w)
			}
			if n := workBytes(t, dir); n != 0 {
				t.Fatalf("the id's marker holds %d bytes", n)
			}
			s2, files := newTestCfg(t, Config{Dir: dir, ExpireIdle: c.idle}) // remembered across a restart
			resp, body := postNamed(t, files, id, "kept.txt", []byte("kept"))
			wantTaken(t, resp, body)
			if got := visible(t, dir); !slices.Equal(got, []string{"kept.txt"}) {
				t.Fatalf("Dir holds %q", got)
			}

			age(t, s2.store.gonePath(id), keepGone+day)
			s2.tidy(false)
			if w := workFiles(t, dir); len(w) != 0 {
				t.Fatalf("work folder after keepGone: %q", w)
			}
		})
	}
}

// Unfinished uploads that expire are not remembered: their id may be used
// again, since no file was ever made under it.
func TestNamedUnfinishedExpiredIsFree(t *testing.T) {
	dir := wine.TempDir(t)
	s, files := newTestCfg(t, Config{Dir: dir, ExpireIdle: time.Hour})
	id := newID()
	loc := create(t, files, map[string]string{idHeader: id, "Upload-Length": "8"})
	patch(t, loc, 0, []byte("half"))
	age(t, s.store.path(id), 2*time.Hour)
	age(t, s.store.infoPath(id), 2*time.Hour)
	s.tidy(false)
	if status, _, _ := head(t, loc); status != http.StatusNotFound {
		t.Fatalf("HEAD of the expired upload: %d", status)
	}
	data := []byte("complete")
	if resp, body := postNamed(t, files, id, "again.txt", data); resp.StatusCode != http.StatusCreated {
		t.Fatalf("creation again: %d %q", resp.StatusCode, body)
	}
	sameContent(t, filepath.Join(dir, "again.txt"), data)
}

// The same race closer than HTTP can make it: creations released at once
// straight into the store.
func TestNamedStoreCreatesOnce(t *testing.T) {
	s, _ := newTest(t, wine.TempDir(t), nil)
	for range 20 {
		id := newID()
		start := make(chan struct{})
		var made sync.WaitGroup
		var mu sync.Mutex
		n := 0
		for range 16 {
			made.Go(func() {
				<-start
				_, err := s.store.NewUpload(t.Context(), handler.FileInfo{ID: id, Size: 5})
				var he handler.Error
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					n++
				case !errors.As(err, &he) || he.ErrorCode != "ERR_UPLOAD_ID_TAKEN":
					t.Errorf("NewUpload: %v", err)
				}
			})
		}
		close(start)
		made.Wait()
		if n != 1 {
			t.Fatalf("%d creations of %s got through", n, id)
		}
	}
}
