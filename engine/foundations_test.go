package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// holdCompletion makes the server answer the PATCH that completes an
// upload of size bytes only once released: tusd has every byte, the
// client has not heard it yet (a crash or pause in that instant).
type holdCompletion struct {
	size    int64
	held    chan struct{}
	release chan struct{}
	once    sync.Once
}

func newHold(size int64) *holdCompletion {
	return &holdCompletion{size: size, held: make(chan struct{}), release: make(chan struct{})}
}

func (h *holdCompletion) mw(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&holdWriter{ResponseWriter: w, h: h}, r)
	})
}

type holdWriter struct {
	http.ResponseWriter
	h *holdCompletion
}

func (w *holdWriter) WriteHeader(code int) {
	if w.Header().Get("Upload-Offset") == strconv.FormatInt(w.h.size, 10) {
		w.h.once.Do(func() { close(w.h.held) })
		<-w.h.release
	}
	w.ResponseWriter.WriteHeader(code)
}

func TestCompleteOnServerIsDoneWhateverBecameOfTheFile(t *testing.T) {
	for _, change := range []string{"edited", "moved", "moved, added again"} {
		t.Run(change, func(t *testing.T) {
			const size = 2 << 20
			hold := newHold(size)
			srv := tustest.New(t, tustest.WithMiddleware(hold.mw))
			e := newEngine(t)
			e.Start()
			p, sha := tustest.RandomFile(t, wine.TempDir(t), "whole.mp4", size, 3)
			j, _ := e.Add(p, destOf(srv))
			<-hold.held
			if err := e.Pause(j.ID); err != nil {
				t.Fatal(err)
			}
			close(hold.release)
			if change == "edited" {
				os.WriteFile(p, []byte("something else entirely"), 0o644)
			} else {
				os.Rename(p, p+".moved")
			}
			if change == "moved, added again" {
				// ferry upload of the same path, as a user reruns it.
				if again, err := e.Add(p, destOf(srv)); err != nil || again.ID != j.ID {
					t.Fatalf("re-add of a moved file: %+v %v", again, err)
				}
			} else if err := e.Resume(j.ID); err != nil {
				t.Fatal(err)
			}
			done := waitFor(t, e, j.ID, 20*time.Second, Done, Failed)
			if done.State != Done {
				t.Fatalf("job %s: %s", done.State, done.Error)
			}
			assertArrived(t, srv, "whole.mp4", sha, 1)
			if srv.Terminated() != 0 {
				t.Fatalf("a complete upload was terminated")
			}
		})
	}
}

// lyingHEAD answers HEAD with an offset of the test's choosing.
func lyingHEAD(offset func(length int64) int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				next.ServeHTTP(&offsetWriter{ResponseWriter: w, offset: offset}, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type offsetWriter struct {
	http.ResponseWriter
	offset func(int64) int64
}

func (w *offsetWriter) WriteHeader(code int) {
	if l, err := strconv.ParseInt(w.Header().Get("Upload-Length"), 10, 64); err == nil {
		w.Header().Set("Upload-Offset", strconv.FormatInt(w.offset(l), 10))
	}
	w.ResponseWriter.WriteHeader(code)
}

func TestImpossibleOffsetIsAConflictNeverDone(t *testing.T) {
	cases := map[string]func(int64) int64{
		"beyond the length":     func(l int64) int64 { return l + 1000 },
		"whole, never all sent": func(l int64) int64 { return l },
	}
	for name, lie := range cases {
		t.Run(name, func(t *testing.T) {
			// Every PATCH is refused before its body is read, so the file's
			// last byte is never offered, and every HEAD lies.
			refuse := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPatch {
						w.Header().Set("Connection", "close")
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					next.ServeHTTP(w, r)
				})
			}
			srv := tustest.New(t, tustest.WithMiddleware(refuse), tustest.WithMiddleware(lyingHEAD(lie)))
			e := newEngine(t, func(o *Options) { o.MaxBackoff = 20 * time.Millisecond })
			e.Start()
			p, _ := tustest.RandomFile(t, wine.TempDir(t), "lie.mp4", 32<<20, 4)
			j, _ := e.Add(p, destOf(srv))
			got := waitFor(t, e, j.ID, 30*time.Second, Done, Failed)
			if got.State != Failed || got.ErrorCode != fault.CodeConflict {
				t.Fatalf("job %s (%s): %s", got.State, got.ErrorCode, got.Error)
			}
			if srv.Created() != 1 {
				t.Fatalf("created %d uploads", srv.Created())
			}
		})
	}
}

func TestFinishedFileStaysFinished(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "once.mp4", 300<<10, 5)
	j, _ := e.Add(p, Destination{URL: srv.URL, ChunkSize: 0})
	first := waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "once.mp4", sha, 1)

	// Added again as it is: the same job, done, nothing sent.
	again, err := e.Add(p, destOf(srv))
	if err != nil || again.ID != j.ID || again.State != Done || !again.Already {
		t.Fatalf("re-add: %+v %v", again, err)
	}
	// Removed from the list, and forgotten by the server (expiry, clean-up):
	// still known as sent, by its completion record.
	if err := e.Remove(j.ID); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(srv.Dir)
	for _, en := range entries {
		os.Remove(filepath.Join(srv.Dir, en.Name()))
	}
	back, err := e.Add(p, destOf(srv))
	if err != nil || back.State != Done || !back.Already || back.UploadURL != first.UploadURL {
		t.Fatalf("re-add after remove: %+v %v", back, err)
	}
	time.Sleep(200 * time.Millisecond) // give a wrong upload time to begin
	if srv.Created() != 1 {
		t.Fatalf("created %d uploads", srv.Created())
	}
	// A new version of the file is a new upload.
	os.WriteFile(p, []byte("version two"), 0o644)
	v2, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if waitFor(t, e, v2.ID, 20*time.Second, Done).Already {
		t.Fatal("a changed file was taken as already uploaded")
	}
	assertArrived(t, srv, "once.mp4", tustest.FileSHA256(t, p), 2)
}

func TestOverwriteKeepingSizeAndMtimeStartsOver(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	p, _ := tustest.RandomFile(t, dir, "same.mp4", 3<<20, 6)
	fi, _ := os.Stat(p)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 512<<10, 10*time.Second)
	e.Pause(j.ID)
	// cp other same.mp4 && touch -r: same size, same mtime, other bytes.
	other, sha := tustest.RandomFile(t, wine.TempDir(t), "other.mp4", 3<<20, 7)
	b, _ := os.ReadFile(other)
	os.WriteFile(p, b, 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	srv.SetFaults(tustest.Faults{})
	e.Resume(j.ID)
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "same.mp4", sha, 2)
}

func TestEditInPlaceWithMtimeSetBackStartsOver(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "mid.mp4", 4<<20, 9)
	fi, _ := os.Stat(p)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	// Bytes in the middle (outside the hashed first and last MiB), then
	// the mtime set back: only the change time tells.
	f, _ := os.OpenFile(p, os.O_WRONLY, 0)
	f.WriteAt([]byte("ZZZZ"), 2<<20)
	f.Close()
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	sha := tustest.FileSHA256(t, p)
	srv.SetFaults(tustest.Faults{})
	waitFor(t, e, j.ID, 30*time.Second, Done)
	assertArrived(t, srv, "mid.mp4", sha, 2)
}

func TestGrowingFileWaitsUntilStill(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t, func(o *Options) { o.Settle = 400 * time.Millisecond })
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "grow.mp4", 1<<20, 8)
	j, _ := e.Add(p, destOf(srv))
	// An export still being written: 64 KiB every 20 ms for 1.5 s.
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	chunk := make([]byte, 64<<10)
	for range 75 {
		f.Write(chunk)
		time.Sleep(20 * time.Millisecond)
	}
	f.Close()
	waitFor(t, e, j.ID, 30*time.Second, Done)
	fi, _ := os.Stat(p)
	up, _ := srv.UploadByName("grow.mp4")
	if up.SHA256 != tustest.FileSHA256(t, p) {
		t.Fatal("the server holds another version of the file")
	}
	if got := srv.BytesReceived(); got > 2*fi.Size() {
		t.Fatalf("sent %d bytes for a %d-byte file", got, fi.Size())
	}
}

// copyDB copies the queue database as a crash would leave it: what is on
// disk when the call returned, no more.
func copyDB(t *testing.T, from string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(from, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	dir := wine.TempDir(t)
	os.WriteFile(filepath.Join(dir, store.FileName), b, 0o600)
	return dir
}

func TestLifecycleIsDurableWhenTheCallReturns(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 256 << 10}))
	dir := wine.TempDir(t)
	// Progress is never written on its own here, so the copies below
	// cannot catch a write half-done.
	e := newEngine(t, func(o *Options) { o.DataDir = dir; o.PersistEvery = time.Hour })
	e.Start()
	files := wine.TempDir(t)
	a, _ := tustest.RandomFile(t, files, "a.mp4", 2<<20, 1)
	b, _ := tustest.RandomFile(t, files, "b.mp4", 2<<20, 2)
	ja, _ := e.Add(a, destOf(srv))
	jb, _ := e.Add(b, destOf(srv))
	waitOffset(t, e, ja.ID, 64<<10, 10*time.Second)
	if err := e.Remove(ja.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Cancel(jb.ID); err != nil {
		t.Fatal(err)
	}
	crashed := copyDB(t, dir)
	e2 := newEngine(t, func(o *Options) { o.DataDir = crashed })
	snap := e2.Snapshot()
	if len(snap.Jobs) != 1 || snap.Jobs[0].ID != jb.ID || snap.Jobs[0].State != Cancelled {
		t.Fatalf("after a crash: %+v", snap.Jobs)
	}
}

func TestStoreFailureHaltsTheQueue(t *testing.T) {
	needAcks(t) // the fault must come while bytes are in flight, which acknowledgements pace
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	sub := e.Subscribe(QueueHalted.Mask()|QueueResumed.Mask(), 8)
	files := wine.TempDir(t)
	p, sha := tustest.RandomFile(t, files, "big.mp4", 3<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)

	e.store.InjectFault(syscall.ENOSPC)
	ev := <-sub.C
	if ev.Type != QueueHalted || ev.Err == nil || ev.Err.Code != fault.CodeStore || !strings.Contains(ev.Err.Msg, "disk") {
		t.Fatalf("event %v %+v", ev.Type, ev.Err)
	}
	if got := waitFor(t, e, j.ID, 5*time.Second, Queued); got.State != Queued {
		t.Fatal("the running job did not stop")
	}
	// A job that cannot be recorded is not queued, and creates nothing.
	q, _ := tustest.RandomFile(t, files, "new.mp4", 1<<10, 2)
	if _, err := e.Add(q, destOf(srv)); fault.CodeOf(err) != fault.CodeStore {
		t.Fatalf("Add on a full disk: %v", err)
	}
	if s := e.Snapshot(); len(s.Jobs) != 1 || s.Halted == nil {
		t.Fatalf("halted queue: %d jobs, halted %v", len(s.Jobs), s.Halted)
	}
	created := srv.Created()

	e.store.InjectFault(nil)
	if ev := <-sub.C; ev.Type != QueueResumed {
		t.Fatalf("event %v", ev.Type)
	}
	srv.SetFaults(tustest.Faults{})
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "big.mp4", sha, created)
}

func TestEmptyDatabaseFileIsDamagedNotEmpty(t *testing.T) {
	dir := wine.TempDir(t)
	os.WriteFile(filepath.Join(dir, store.FileName), nil, 0o600)
	_, err := Open(Options{DataDir: dir})
	var corrupt *store.CorruptError
	if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("open: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, store.FileName)); fi.Size() != 0 {
		t.Fatal("the file was written to")
	}
}

// A folder bigger than a chunk goes in a few transactions of addChunkSize
// jobs (not one the size of the queue), each file once, in order, and
// every job is on disk when AddMany returns.
func TestAddManyOfAHugeFolderGoesInChunks(t *testing.T) {
	data, dir := wine.TempDir(t), wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = data })
	n := 2*addChunkSize + 5
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := e.w.Writes()
	added := e.AddMany([]string{dir}, Destination{URL: "http://127.0.0.1:1/files/"})
	if got := e.w.Writes() - before; got < 3 {
		t.Fatalf("AddMany of %d files took %d transactions, want one per %d files", n, got, addChunkSize)
	}
	if len(added) != n {
		t.Fatalf("%d results for %d files", len(added), n)
	}
	for i, a := range added {
		if a.Err != nil || filepath.Base(a.Path) != fmt.Sprintf("f%05d", i) || a.Job.ID == "" || a.Job.State != Queued {
			t.Fatalf("result %d: %+v", i, a)
		}
	}
	e.Close()
	again := newEngine(t, func(o *Options) { o.DataDir = data })
	if got := len(again.Snapshot().Jobs); got != n {
		t.Fatalf("%d jobs on disk, want %d", got, n)
	}
}

func TestAddManyIsOneTransaction(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	dir := wine.TempDir(t)
	shas := map[string]string{}
	for i := range 300 {
		name := "f" + strconv.Itoa(i) + ".bin"
		_, shas[name] = tustest.RandomFile(t, dir, name, int64(i*7), int64(i))
	}
	before := e.w.Writes()
	added := e.AddMany([]string{dir}, destOf(srv))
	if got := e.w.Writes() - before; got != 1 {
		t.Fatalf("AddMany of 300 files took %d transactions", got)
	}
	if len(added) != 300 {
		t.Fatalf("%d added", len(added))
	}
	e.Start()
	for _, a := range added {
		if a.Err != nil {
			t.Fatal(a.Err)
		}
	}
	waitDone(t, e, 300, 60*time.Second)
	got := map[string]string{}
	for _, up := range srv.Uploads() {
		if up.Done {
			got[up.MetaData["filename"]] = up.SHA256
		}
	}
	for name, sha := range shas {
		if got[name] != sha {
			t.Fatalf("%s did not arrive whole", name)
		}
	}
	if srv.Created() != 300 {
		t.Fatalf("created %d uploads", srv.Created())
	}
}

// A subscriber slower than the engine misses events; reading Seq, then
// the jobs, and dropping the events up to Seq, it ends with the engine's
// own picture (what ferry upload's follow does).
func TestSlowSubscriberEndsWithTheEnginesState(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	sub := e.Subscribe(AllEvents, 1)
	defer sub.Close()
	dir := wine.TempDir(t)
	for i := range 40 {
		tustest.RandomFile(t, dir, "s"+strconv.Itoa(i), 10<<10, int64(i))
	}
	res := e.AddMany([]string{dir}, destOf(srv))
	jobs := map[string]Job{}
	var seq uint64
	missed := 0
	reread := func() {
		missed++
		seq = e.Seq()
		for _, r := range res {
			if j, ok := e.Job(r.Job.ID); ok {
				jobs[j.ID] = j
			}
		}
	}
	apply := func(ev Event) {
		if sub.Missed() > 0 {
			reread()
		}
		if ev.Seq <= seq {
			return
		}
		seq = ev.Seq
		if ev.Job.ID != "" {
			jobs[ev.Job.ID] = ev.Job
		}
	}
	done := func() bool {
		n := 0
		for _, j := range jobs {
			if j.State == Done {
				n++
			}
		}
		return n == 40
	}
	reread()
	e.Start()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		select {
		case ev := <-sub.C:
			apply(ev)
			time.Sleep(5 * time.Millisecond) // slower than the engine
		case <-time.After(50 * time.Millisecond):
			if sub.Missed() > 0 {
				reread()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriber: %d jobs; engine: %+v", len(jobs), e.Totals())
		}
	}
	for len(sub.C) > 0 {
		apply(<-sub.C)
	}
	if sub.Missed() > 0 {
		reread()
	}
	for _, r := range res {
		j, _ := e.Job(r.Job.ID)
		if got := jobs[j.ID]; got.State != j.State || got.Offset != j.Offset || got.UploadURL != j.UploadURL {
			t.Fatalf("subscriber has %s %d, engine %s %d", got.State, got.Offset, j.State, j.Offset)
		}
	}
	if missed < 2 {
		t.Fatalf("the subscriber never missed an event: the test shows nothing")
	}
}

func TestSecretsStayOutOfRecordsAndSnapshots(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("tok3n"))
	dir := wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = dir })
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "s.mp4", 100<<10, 1)
	withSecrets := strings.Replace(srv.URL, "http://", "http://alice:PA55WORD@", 1) + "?signature=S1GN&keep=yes"
	j, err := e.Add(p, Destination{URL: withSecrets, Header: http.Header{"Authorization": {"Bearer tok3n"}, "X-Api-Key": {"K3Y"}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "s.mp4", sha, 1)
	snap, _ := json.Marshal(e.Snapshot())
	e.Close()
	db, _ := os.ReadFile(filepath.Join(dir, store.FileName))
	for _, secret := range []string{"PA55WORD", "S1GN", "tok3n", "K3Y"} {
		if strings.Contains(string(db), secret) {
			t.Errorf("%s is in the database", secret)
		}
		if strings.Contains(string(snap), secret) {
			t.Errorf("%s is in the snapshot", secret)
		}
	}
}

// Cancelling many jobs at once deletes their uploads a few at a time, and
// a DELETE that fails is tried again until the server confirms.
func TestDeletionsAreBoundedAndRetried(t *testing.T) {
	var inflight, most, failed atomic.Int32
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}), tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodDelete {
				next.ServeHTTP(w, r)
				return
			}
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond) // a slow server: overlaps would show
			if failed.Add(1) <= 3 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	e := newEngine(t, func(o *Options) { o.Concurrency = 12 })
	e.Start()
	dir := wine.TempDir(t)
	var ids []string
	for i := range 12 {
		p, _ := tustest.RandomFile(t, dir, "d"+strconv.Itoa(i)+".mp4", 2<<20, int64(i))
		j, _ := e.Add(p, destOf(srv))
		ids = append(ids, j.ID)
	}
	for _, id := range ids {
		waitOffset(t, e, id, 1, 10*time.Second)
	}
	if err := e.Cancel(ids...); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.Terminated() < 12 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 12 uploads deleted", srv.Terminated())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := most.Load(); m > perHost {
		t.Fatalf("%d deletions at once against one server", m)
	}
}

// A destination that is down does not hold the upload slots: files for
// another destination go meanwhile.
func TestWaitingJobsGiveTheirSlotUp(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t, func(o *Options) { o.Concurrency = 2 })
	e.Start()
	dir := wine.TempDir(t)
	down := Destination{URL: "http://127.0.0.1:1/files/"}
	for _, n := range []string{"a", "b", "c"} {
		p, _ := tustest.RandomFile(t, dir, n+".mp4", 1000, 1)
		if _, err := e.Add(p, down); err != nil {
			t.Fatal(err)
		}
	}
	p, sha := tustest.RandomFile(t, dir, "d.mp4", 200<<10, 2)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "d.mp4", sha, 1)
}
