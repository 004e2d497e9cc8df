package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/receiver"
)

// TestKilledIntoFerrysReceiverMakesNoSecondUpload: into Ferry's own
// receiver small files go in their creation request, under ids the client
// derives rather than records first. A Ferry killed again and again
// (records not yet on disk) names each upload the same way when it comes
// back: every file arrives once, byte for byte, and no upload is left
// unfinished in the receiver's work folder.
func TestKilledIntoFerrysReceiverMakesNoSecondUpload(t *testing.T) {
	wine.Skip(t, "it keeps a killed process's sockets open for good, their pending reads with them (wineserver lists them as it exits): the receiver meets a client that neither sends nor closes, and a read from it ends neither at its deadline nor at a deadline set to now (the cancel never completes), so the receiver holds that upload's lock; Windows closes a killed process's sockets")
	in, dir, data := wine.TempDir(t), wine.TempDir(t), wine.TempDir(t)
	rs, err := receiver.New(receiver.Config{Dir: in, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32 // repeats of a creation the receiver already had
	h := rs.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if r.Method == http.MethodPost && rec.status == http.StatusConflict {
			refused.Add(1)
		}
	}))
	t.Cleanup(hs.Close)
	url := hs.URL + "/files/"

	const n = 800
	shas := map[string]string{}
	for i := range n {
		name := "s" + strconv.Itoa(i) + ".bin"
		_, shas[name] = tustest.RandomFile(t, dir, name, 2<<10, int64(i))
	}
	arrived := func() int {
		ents, _ := os.ReadDir(in)
		return len(ents) - 1 // the work folder
	}
	for _, at := range []int{1, n / 4, n / 2} {
		cmd, _ := startFerry(t, "upload", "--data-dir", data, "--to", url, dir)
		deadline := time.Now().Add(30 * time.Second)
		for arrived() < at && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	if r := ferry(t, "upload", "--data-dir", data, "--to", url, dir); r.code != 0 {
		t.Fatalf("last run: exit %d %s", r.code, r.stderr)
	}
	ents, _ := os.ReadDir(in)
	for _, de := range ents {
		if de.Name() == receiver.WorkDirName {
			continue
		}
		want, ok := shas[de.Name()]
		if !ok {
			t.Errorf("%s arrived: a file sent twice", de.Name())
			continue
		}
		if got := tustest.FileSHA256(t, filepath.Join(in, de.Name())); got != want {
			t.Errorf("%s arrived as other bytes", de.Name())
		}
		delete(shas, de.Name())
	}
	if len(shas) > 0 {
		t.Errorf("%d files never arrived", len(shas))
	}
	work, _ := os.ReadDir(filepath.Join(in, receiver.WorkDirName))
	for _, de := range work {
		if !strings.Contains(de.Name(), ".") {
			t.Errorf("upload %s left unfinished in the work folder", de.Name())
		}
	}
	t.Logf("%d repeated creations refused and resumed", refused.Load())
}

// statusRecorder notes the status a handler answers with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
