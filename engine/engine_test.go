package engine

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

func TestUploadsArriveWhole(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	sizes := map[string]int64{"a.mp4": 3<<20 + 17, "empty.mov": 0, "b.bin": 1}
	shas := map[string]string{}
	var ids []string
	for name, size := range sizes {
		p, sha := tustest.RandomFile(t, dir, name, size, int64(len(name)))
		shas[name] = sha
		j, err := e.Add(p, Destination{URL: srv.URL, Meta: map[string]string{"project": "x", "requiresignedurls": ""}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	for _, id := range ids {
		j := waitFor(t, e, id, 20*time.Second, Done, Failed)
		if j.State != Done || j.UploadURL == "" || j.Progress() != 1 {
			t.Fatalf("%s: %s %q url=%q progress=%v", j.Path, j.State, j.Error, j.UploadURL, j.Progress())
		}
	}
	for name, sha := range shas {
		assertArrived(t, srv, name, sha, len(sizes))
	}
	up, _ := srv.UploadByName("a.mp4")
	if _, bare := up.MetaData["requiresignedurls"]; !bare || up.MetaData["filetype"] != "video/mp4" || up.MetaData["project"] != "x" {
		t.Fatalf("metadata = %v", up.MetaData)
	}
}

func TestSurvivesCutConnections(t *testing.T) {
	for _, chunk := range []int64{0, 1 << 20} {
		t.Run(map[int64]string{0: "streaming", 1 << 20: "chunked"}[chunk], func(t *testing.T) {
			srv := tustest.New(t, tustest.WithFaults(tustest.Faults{CutEvery: 700 << 10, CutSeed: 7}))
			e := newEngine(t)
			e.Start()
			p, sha := tustest.RandomFile(t, wine.TempDir(t), "cut.mp4", 6<<20, 1)
			j, err := e.Add(p, Destination{URL: srv.URL, ChunkSize: chunk})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, e, j.ID, 60*time.Second, Done)
			assertArrived(t, srv, "cut.mp4", sha, 1)
			// Every cut costs at most the bytes in flight: far less than the
			// file again.
			if extra := srv.BytesReceived() - 6<<20; extra > 2<<20 {
				t.Fatalf("re-sent %d bytes", extra)
			}
		})
	}
}

func TestRetriesServerTrouble(t *testing.T) {
	cases := map[string]tustest.Faults{
		"5xx burst": {Status5xxPATCH: 4},
		"409":       {Conflict409PATCH: 2},
		"423":       {Locked423PATCH: 2},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			srv := tustest.New(t, tustest.WithFaults(f))
			e := newEngine(t)
			e.Start()
			p, sha := tustest.RandomFile(t, wine.TempDir(t), "x.mp4", 1<<20, 3)
			j, _ := e.Add(p, destOf(srv))
			waitFor(t, e, j.ID, 20*time.Second, Done)
			assertArrived(t, srv, "x.mp4", sha, 1)
		})
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{Status429PATCH: 1, RetryAfter: 2}))
	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "x.mp4", 2<<20, 3) // > smallFile: PATCHed
	start := time.Now()
	j, _ := e.Add(p, destOf(srv))
	w := waitFor(t, e, j.ID, 5*time.Second, Waiting)
	if !strings.Contains(w.Reason, "429") || time.Until(w.NextTry) < time.Second {
		t.Fatalf("waiting job: reason %q, next try in %s", w.Reason, time.Until(w.NextTry))
	}
	waitFor(t, e, j.ID, 10*time.Second, Done)
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("done after %s; the server asked for 2 s", d)
	}
	assertArrived(t, srv, "x.mp4", sha, 1)
}

func TestNoticesStalledLink(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{BlackholeAfter: 1 << 20}))
	e := newEngine(t, func(o *Options) { o.StallTimeout = time.Second })
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "stall.mp4", 4<<20, 5)
	start := time.Now()
	j, _ := e.Add(p, destOf(srv))
	waitFor(t, e, j.ID, 30*time.Second, Done)
	assertArrived(t, srv, "stall.mp4", sha, 1)
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("took %s to get past a 1 s stall", d)
	}
}

func TestExpiredUploadStartsAnew(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "exp.mp4", 3<<20, 9)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 512<<10, 10*time.Second)
	if err := e.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(tustest.Faults{NotFoundHEAD: 1})
	time.Sleep(200 * time.Millisecond)
	if err := e.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	done := waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "exp.mp4", sha, 2)
	if !strings.Contains(strings.Join(done.Notes, "\n"), "no longer had the upload") {
		t.Fatalf("notes %q do not say why a new upload was made", done.Notes)
	}
}

func TestPauseIsPromptAndResumeSendsOnlyTheRest(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	const size = 4 << 20
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "slow.mp4", size, 11)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 1<<20, 10*time.Second)
	start := time.Now()
	if err := e.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	if j, _ := e.Job(j.ID); j.State != Paused {
		t.Fatalf("after Pause the job is %s", j.State)
	}
	// The transfer itself must stop within a second: the server stops
	// receiving bytes.
	time.Sleep(time.Second)
	atPause := srv.BytesReceived()
	time.Sleep(700 * time.Millisecond)
	if got := srv.BytesReceived(); got != atPause {
		t.Fatalf("server still receiving %s after Pause (%d → %d)", time.Since(start), atPause, got)
	}
	if err := e.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 30*time.Second, Done)
	assertArrived(t, srv, "slow.mp4", sha, 1)
	if extra := srv.BytesReceived() - size; extra > 256<<10 {
		t.Fatalf("resume re-sent %d bytes", extra)
	}
}

func TestCancelTerminatesUpload(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "c.mp4", 4<<20, 2)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	if err := e.Cancel(j.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Terminated() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("server upload not terminated; requests %v", srv.Requests())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j, _ := e.Job(j.ID); j.State != Cancelled {
		t.Fatalf("job is %s", j.State)
	}
	// A retry after cancel is a new upload.
	if err := e.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(tustest.Faults{})
	waitFor(t, e, j.ID, 20*time.Second, Done)
	if srv.Created() != 2 {
		t.Fatalf("created %d uploads", srv.Created())
	}
}

func TestPermanentErrorsFailWithASentence(t *testing.T) {
	cases := []struct {
		name string
		opts []tustest.Option
		want string
	}{
		{"refused token", []tustest.Option{tustest.WithAuth("s3cret")}, "refused the credentials (401)"},
		{"not tus", []tustest.Option{tustest.WithFaults(tustest.Faults{NotTus: true})}, "does not look like a tus server"},
		{"no endpoint", []tustest.Option{tustest.WithFaults(tustest.Faults{NotTus: true, NotTusPOSTStatus: 404})}, "no tus upload endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := tustest.New(t, c.opts...)
			e := newEngine(t)
			e.Start()
			p, _ := tustest.RandomFile(t, wine.TempDir(t), "x.mp4", 1000, 1)
			j, _ := e.Add(p, destOf(srv))
			f := waitFor(t, e, j.ID, 5*time.Second, Failed)
			if !strings.Contains(f.Error, c.want) {
				t.Fatalf("error %q does not say %q", f.Error, c.want)
			}
			if srv.Created() != 0 {
				t.Fatalf("created %d uploads", srv.Created())
			}
		})
	}
}

func TestTokenGivenAgainOnResume(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("tok"))
	dir := wine.TempDir(t)
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "auth.mp4", 1<<20, 1)
	e := newEngine(t, func(o *Options) { o.DataDir = dir })
	d := Destination{URL: srv.URL, Header: map[string][]string{"Authorization": {"Bearer tok"}}}
	j, err := e.Add(p, d)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	raw, _ := os.ReadFile(filepath.Join(dir, store.FileName))
	if strings.Contains(string(raw), "Bearer tok") {
		t.Fatal("the token was written to the database")
	}
	e2 := newEngine(t, func(o *Options) { o.DataDir = dir })
	e2.SetHeaders("http://elsewhere/files/", http.Header{"Authorization": {"Bearer tok"}})
	e2.Start()
	if f := waitFor(t, e2, j.ID, 10*time.Second, Failed); !strings.Contains(f.Error, "401") {
		t.Fatalf("without its token: %q", f.Error)
	}
	e2.SetHeaders(srv.URL, http.Header{"Authorization": {"Bearer tok"}})
	e2.Retry(j.ID)
	waitFor(t, e2, j.ID, 10*time.Second, Done)
	assertArrived(t, srv, "auth.mp4", sha, 1)
}

func TestFileChangedOrGone(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	p, _ := tustest.RandomFile(t, dir, "ch.mp4", 3<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	e.Pause(j.ID)
	_, sha := tustest.RandomFile(t, dir, "ch.mp4", 2<<20, 2)
	srv.SetFaults(tustest.Faults{})
	e.Resume(j.ID)
	done := waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "ch.mp4", sha, 2)
	if done.Size != 2<<20 || !strings.Contains(strings.Join(done.Notes, " "), "changed on disk") {
		t.Fatalf("size %d notes %q", done.Size, done.Notes)
	}

	p2, _ := tustest.RandomFile(t, dir, "gone.mp4", 1<<20, 3)
	srv.SetFaults(tustest.Faults{RateLimit: 256 << 10})
	j2, _ := e.Add(p2, destOf(srv))
	waitOffset(t, e, j2.ID, 64<<10, 10*time.Second)
	e.Pause(j2.ID)
	os.Remove(p2)
	e.Resume(j2.ID)
	f := waitFor(t, e, j2.ID, 10*time.Second, Failed)
	if !strings.Contains(f.Error, p2) || !strings.Contains(f.Error, "gone") {
		t.Fatalf("error %q", f.Error)
	}
}

func TestQueueSurvivesRestart(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	dir := wine.TempDir(t)
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "r.mp4", 3<<20, 4)
	e := newEngine(t, func(o *Options) { o.DataDir = dir })
	e.Start()
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 1<<20, 10*time.Second)
	e.Close()
	time.Sleep(300 * time.Millisecond) // the cut PATCH is logged when tusd finishes it
	requests := len(srv.Requests())

	srv.SetFaults(tustest.Faults{})
	e2 := newEngine(t, func(o *Options) { o.DataDir = dir })
	got, ok := e2.Job(j.ID)
	if !ok || got.State != Queued {
		t.Fatalf("after restart: %+v %v", got, ok)
	}
	time.Sleep(300 * time.Millisecond)
	if len(srv.Requests()) != requests {
		t.Fatalf("a held job ran before Start: %v", srv.Requests()[requests:])
	}
	e2.Start()
	waitFor(t, e2, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "r.mp4", sha, 1)
	if extra := srv.BytesReceived() - 3<<20; extra > 256<<10 {
		t.Fatalf("re-sent %d bytes after restart", extra)
	}
	// Adding the same file again finds the finished upload: nothing sent.
	before := srv.BytesReceived()
	again, err := e2.Add(p, destOf(srv))
	if err != nil || again.ID != j.ID {
		t.Fatalf("re-add: %v %v", again.ID, err)
	}
	waitFor(t, e2, j.ID, 10*time.Second, Done)
	if srv.BytesReceived() != before || srv.Created() != 1 {
		t.Fatal("a finished file was sent again")
	}
}

func TestDatabaseLockedOrCorrupt(t *testing.T) {
	dir := wine.TempDir(t)
	newEngine(t, func(o *Options) { o.DataDir = dir })
	_, err := Open(Options{DataDir: dir})
	var locked *store.LockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "Ferry is already running (data dir "+dir) {
		t.Fatalf("second open: %v", err)
	}

	bad := wine.TempDir(t)
	junk := []byte(strings.Repeat("not a database ", 1000))
	os.WriteFile(filepath.Join(bad, store.FileName), junk, 0o600)
	_, err = Open(Options{DataDir: bad})
	var corrupt *store.CorruptError
	if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("corrupt open: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(bad, store.FileName)); string(after) != string(junk) {
		t.Fatal("the damaged database was changed")
	}
}

func TestRateLimitIsShared(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t, func(o *Options) { o.RateLimit = 1 << 20 })
	e.Start()
	dir := wine.TempDir(t)
	start := time.Now()
	var ids []string
	shas := map[string]string{}
	for i, name := range []string{"r1.mp4", "r2.mp4"} {
		p, sha := tustest.RandomFile(t, dir, name, 1<<20, int64(i))
		shas[name] = sha
		j, _ := e.Add(p, destOf(srv))
		ids = append(ids, j.ID)
	}
	for _, id := range ids {
		waitFor(t, e, id, 20*time.Second, Done)
	}
	for name, sha := range shas {
		assertArrived(t, srv, name, sha, 2)
	}
	// 2 MiB at 1 MiB/s with a 100 ms burst: at least ~1.8 s.
	if d := time.Since(start); d < 1700*time.Millisecond {
		t.Fatalf("2 MiB at 1 MiB/s took %s", d)
	}
}

func TestSlowSubscriberNeverBlocks(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	sub := e.Subscribe(JobAdded.Mask()|JobChanged.Mask()|JobProgress.Mask(), 1) // never read
	defer sub.Close()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "s.mp4", 2<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitFor(t, e, j.ID, 10*time.Second, Done)
	assertArrived(t, srv, "s.mp4", sha, 1)
	// It kept the first event it had room for, and missed the rest.
	ev := <-sub.C
	if ev.Type != JobAdded || sub.Missed() == 0 {
		t.Fatalf("first event %v, missed %v", ev.Type, sub.Missed())
	}
}

func TestAddRejectsBadInput(t *testing.T) {
	e := newEngine(t)
	dir := wine.TempDir(t)
	cases := map[string]string{
		filepath.Join(dir, "missing.mp4"): "does not exist",
		dir:                               "is a folder",
	}
	for path, want := range cases {
		if _, err := e.Add(path, Destination{URL: "http://127.0.0.1:1/files/"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Add(%s) = %v, want %q", path, err, want)
		}
	}
	p, _ := tustest.RandomFile(t, dir, "ok.mp4", 10, 1)
	if _, err := e.Add(p, Destination{URL: "ftp:/nope"}); err == nil || !strings.Contains(err.Error(), "not an upload URL") {
		t.Errorf("bad URL: %v", err)
	}
	if len(e.Snapshot().Jobs) != 0 {
		t.Fatal("bad input made jobs")
	}
}

func TestRemoveActiveJobForgetsIt(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	dir := wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = dir })
	e.Start()
	sub := e.Subscribe(AllEvents, 64)
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "rm.mp4", 4<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	if err := e.Remove(j.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Job(j.ID); ok || len(e.Snapshot().Jobs) != 0 {
		t.Fatal("removed job still listed")
	}
	removed := false
	for !removed {
		select {
		case ev := <-sub.C:
			removed = ev.Type == JobRemoved && ev.Job.ID == j.ID
		case <-time.After(5 * time.Second):
			t.Fatal("no JobRemoved event")
		}
	}
	e.Close()
	if srv.Terminated() != 1 {
		t.Fatalf("terminated %d server uploads", srv.Terminated())
	}
	e2 := newEngine(t, func(o *Options) { o.DataDir = dir })
	if n := len(e2.Snapshot().Jobs); n != 0 {
		t.Fatalf("%d jobs came back after restart", n)
	}
}

func TestFileEditedWhileSentStartsOver(t *testing.T) {
	needAcks(t) // the edit must come while bytes are in flight, which acknowledgements pace
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	p, _ := tustest.RandomFile(t, dir, "edit.mp4", 3<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	// Same size, other bytes, as an editor saving in place would.
	f, _ := os.OpenFile(p, os.O_WRONLY, 0)
	f.WriteAt(make([]byte, 1<<20), 0)
	f.Close()
	now := time.Now().Add(time.Second)
	os.Chtimes(p, now, now)
	sha := tustest.FileSHA256(t, p)
	waitFor(t, e, j.ID, 30*time.Second, Done)
	assertArrived(t, srv, "edit.mp4", sha, 2)
}

// A job against a server that always fails waits, saying why, between
// attempts (how long: TestRetryWaitsGrowAndKeepTheirCap), and goes on
// within the cap once the server is well.
func TestAFailingServerIsWaitedForWithinTheCap(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{Status5xxPATCH: 1000}))
	e := newEngine(t, func(o *Options) { o.MaxBackoff = 2 * time.Second })
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "b.mp4", 2<<20, 1) // > smallFile: PATCHed
	j, _ := e.Add(p, destOf(srv))
	waitJob(t, e, 10*time.Second, func(w Job) bool {
		return w.ID == j.ID && w.State == Waiting && strings.Contains(w.Reason, "503")
	}, j.ID)
	// Capped: once the server is well, the upload goes on within the cap.
	srv.SetFaults(tustest.Faults{})
	healed := time.Now()
	waitFor(t, e, j.ID, 10*time.Second, Done)
	if d := time.Since(healed); d > 3500*time.Millisecond {
		t.Fatalf("went on %s after the server recovered", d)
	}
	assertArrived(t, srv, "b.mp4", sha, 1)
}

func TestLowRateLimitIsNotAStall(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t, func(o *Options) {
		o.RateLimit = 16 << 10
		o.StallTimeout = time.Second
	})
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "slow.mp4", 48<<10, 1)
	start := time.Now()
	j, _ := e.Add(p, destOf(srv))
	waitFor(t, e, j.ID, 20*time.Second, Done)
	if d := time.Since(start); d < 2500*time.Millisecond {
		t.Fatalf("48 KiB at 16 KiB/s took %s", d)
	}
	assertArrived(t, srv, "slow.mp4", sha, 1)
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "PATCH") && !strings.HasSuffix(r, "204") {
			t.Fatalf("a slow but moving PATCH was abandoned: %v", srv.Requests())
		}
	}
}

func TestProgressIsPersistedAtABoundedRate(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t, func(o *Options) {
		o.Tick = 20 * time.Millisecond
		o.PersistEvery = 500 * time.Millisecond
	})
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "p.mp4", 3<<20, 1)
	start := time.Now()
	j, _ := e.Add(p, destOf(srv))
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "p.mp4", sha, 1)
	// Progress ticks 50 times a second; the disk hears of it twice a
	// second, plus once per state change.
	limit := int64(time.Since(start)/(500*time.Millisecond)) + 6
	if w := e.w.Writes(); w > limit {
		t.Fatalf("%d writes in %s; want at most %d", w, time.Since(start), limit)
	}
}

func TestOneJobPerFileAndDestination(t *testing.T) {
	e := newEngine(t)
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "k.mp4", 10, 1)
	a, _ := e.Add(p, Destination{URL: "HTTP://Example.com:80/files/"})
	b, _ := e.Add(p, Destination{URL: "http://example.com/files"})
	c, _ := e.Add(p, Destination{URL: "http://example.com/other/"})
	if a.ID != b.ID || a.ID == c.ID {
		t.Fatalf("ids %s %s %s", a.ID, b.ID, c.ID)
	}
}

func TestGrowingFileNeverCompletesStale(t *testing.T) {
	// Each attempt takes over a second, many times the writer's pause: a
	// writer held up longer than a whole attempt (a loaded machine, Wine)
	// would be a file that did not change while it was sent.
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t, func(o *Options) { o.MaxBackoff = time.Second })
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "rec.mp4", 1<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	// A recording: it grows for 3 s, then stops.
	stop := time.Now().Add(3 * time.Second)
	for time.Now().Before(stop) {
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		f.Write(make([]byte, 64<<10))
		f.Close()
		time.Sleep(150 * time.Millisecond)
	}
	sha := tustest.FileSHA256(t, p)
	waitFor(t, e, j.ID, 30*time.Second, Done)
	up, _ := srv.UploadByName("rec.mp4")
	if up.SHA256 != sha {
		t.Fatal("the finished upload is not the final file")
	}
	complete := 0
	for _, u := range srv.Uploads() {
		if u.Done {
			complete++
		}
	}
	if complete != 1 {
		t.Fatalf("%d complete uploads on the server; a stale one was finished", complete)
	}
	if n := srv.Created(); n > 8 {
		t.Fatalf("%d uploads created for a file that grew for 3 s", n)
	}
}

func TestServerThatNeverAgreesFails(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{Conflict409PATCH: 1000}))
	e := newEngine(t, func(o *Options) { o.MaxBackoff = 50 * time.Millisecond })
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "c.mp4", 2<<20, 1) // > smallFile: PATCHed
	j, _ := e.Add(p, destOf(srv))
	f := waitFor(t, e, j.ID, 20*time.Second, Failed)
	if !strings.Contains(f.Error, "keeps disagreeing") {
		t.Fatalf("error %q", f.Error)
	}
}

func TestDamagedRecordLeavesDatabaseUntouched(t *testing.T) {
	dir := wine.TempDir(t)
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Write(store.Batch{store.Jobs: {"0000000000000001": []byte("[not a job")}})
	st.Close()
	before := tustest.FileSHA256(t, filepath.Join(dir, store.FileName))
	_, err = Open(Options{DataDir: dir})
	var corrupt *store.CorruptError
	if !errors.As(err, &corrupt) {
		t.Fatalf("open: %v", err)
	}
	if after := tustest.FileSHA256(t, filepath.Join(dir, store.FileName)); after != before {
		t.Fatal("the database was written to")
	}
}

// Chunks are whole requests, each answered 204: none is cut short and
// recovered by a HEAD.
func TestChunkedUploadSendsCleanRequests(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "ch.mp4", 2<<20, 1) // > smallFile: PATCHed
	j, _ := e.Add(p, Destination{URL: srv.URL, ChunkSize: 256 << 10})
	waitFor(t, e, j.ID, 10*time.Second, Done)
	assertArrived(t, srv, "ch.mp4", sha, 1)
	var patches []string
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "PATCH") {
			patches = append(patches, r)
			if !strings.HasSuffix(r, " 204") {
				t.Fatalf("PATCH answered %q", r)
			}
		}
	}
	// Eight chunks of exactly the chunk size: holding back the last byte
	// until the file is checked makes no odd chunk.
	if len(patches) != 8 || strings.Contains(strings.Join(srv.Requests(), " "), "HEAD") {
		t.Fatalf("requests: %v", srv.Requests())
	}
}

// Opening and closing the queue only to look at it writes nothing.
func TestLookingWritesNothing(t *testing.T) {
	dir := wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = dir })
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "l.mp4", 10, 1)
	e.Add(p, Destination{URL: "http://127.0.0.1:1/files/"})
	e.Close()
	before := tustest.FileSHA256(t, filepath.Join(dir, store.FileName))
	e2 := newEngine(t, func(o *Options) { o.DataDir = dir })
	if len(e2.Snapshot().Jobs) != 1 {
		t.Fatal("job lost")
	}
	e2.Close()
	if tustest.FileSHA256(t, filepath.Join(dir, store.FileName)) != before {
		t.Fatal("opening and closing the queue changed the database")
	}
}
