package watch

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/watch/settings"
)

// A file still being written (an export that grows for seconds) is never
// sent half-written: it is uploaded once, whole, after it stops.
func TestGrowingFileIsUploadedOnceWhole(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	f := r.folder(dir)
	f.Settle = time.Second // ten times the pauses between writes
	r.watch(f)

	p := filepath.Join(dir, "export.mp4")
	writeSlowly(t, p, 64<<10, 100*time.Millisecond, 4*time.Second)
	if n := r.srv.Created(); n != 0 {
		t.Fatalf("%d uploads created while the file was written", n)
	}
	sha := tustest.FileSHA256(t, p)
	arrived(t, r.srv, "export.mp4", sha)
	quiet()
	created(t, r.srv, 1)
	if s := r.status(dir); s.Uploaded != 1 || s.Queued != 0 || s.Settling != 0 {
		t.Fatalf("status %+v", s)
	}
}

// Folders made after the watch began are watched, also several levels
// made at once (mkdir -p) with a file written at once.
func TestFoldersMadeLaterAreWatched(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))

	deep := mkdir(t, filepath.Join(dir, "day1", "cam", "a"))
	p1, sha1 := tustest.RandomFile(t, deep, "deep.mp4", 200<<10, 1)
	later := mkdir(t, filepath.Join(dir, "day2"))
	waitUntil(t, "day2 watched", func() bool {
		r.w.mu.Lock()
		fo := r.w.folders[dir]
		r.w.mu.Unlock()
		fo.mu.Lock()
		defer fo.mu.Unlock()
		return !fo.status.Scanning
	})
	time.Sleep(settle)
	p2, sha2 := tustest.RandomFile(t, later, "later.mov", 100<<10, 2)
	arrived(t, r.srv, "deep.mp4", sha1)
	arrived(t, r.srv, "later.mov", sha2)
	quiet()
	created(t, r.srv, 2)
	if r.count(Queued, p1) != 1 || r.count(Queued, p2) != 1 || r.count(Uploaded, p2) != 1 {
		t.Fatalf("events:\n%s", r.dump())
	}
}

// A download saved as x.mp4.part is left alone until it is renamed into
// place, then uploaded under its real name.
func TestPartFileRenamedIntoPlaceIsUploaded(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))
	part, sha := tustest.RandomFile(t, dir, "clip.mp4.part", 1<<20, 3)
	quiet()
	created(t, r.srv, 0)
	if err := os.Rename(part, filepath.Join(dir, "clip.mp4")); err != nil {
		t.Fatal(err)
	}
	arrived(t, r.srv, "clip.mp4", sha)
	quiet()
	created(t, r.srv, 1)
}

// Hidden and temporary files, and files of other kinds, are never queued:
// neither those there at start nor those that arrive later.
func TestHiddenTemporaryAndOtherFilesAreLeftAlone(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	junk := []string{".hidden.mp4", ".DS_Store", "a.mp4.crdownload", "b.mp4.part", "c.tmp", "d.mp4~", "notes.txt",
		"~$lock.mp4", ".cache/e.mp4", "Thumbs.db"}
	for i, name := range junk[:5] {
		tustest.RandomFile(t, dir, name, 1000, int64(i))
	}
	r.watch(r.folder(dir))
	for i, name := range junk[5:] {
		tustest.RandomFile(t, dir, name, 1000, int64(10+i))
	}
	_, sha := tustest.RandomFile(t, dir, "good.MP4", 1000, 99)
	arrived(t, r.srv, "good.MP4", sha)
	quiet()
	created(t, r.srv, 1)
}

// What was uploaded is not uploaded again after a restart, even once the
// server has forgotten it; what arrived while Ferry was closed is found.
func TestRestartUploadsOnlyWhatIsNew(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))
	_, shaA := tustest.RandomFile(t, dir, "a.mp4", 300<<10, 1)
	arrived(t, r.srv, "a.mp4", shaA)
	r.waitEvents(Uploaded, filepath.Join(dir, "a.mp4"), 1)
	r.close()

	// The server forgets a.mp4; b.mp4 arrives while nothing watches.
	up, _ := r.srv.UploadByName("a.mp4")
	os.Remove(up.Path)
	os.Remove(up.Path + ".info")
	_, shaB := tustest.RandomFile(t, dir, "b.mp4", 200<<10, 2)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "b.mp4"), old, old)

	r.open()
	r.watch(r.folder(dir))
	ev, _ := r.find(Scanned, dir)
	if ev.Count != 2 || ev.Before != 1 {
		t.Fatalf("the walk at start found %d files, %d uploaded before; want 2 and 1", ev.Count, ev.Before)
	}
	arrived(t, r.srv, "b.mp4", shaB)
	quiet()
	created(t, r.srv, 2)
	if _, ok := r.srv.UploadByName("a.mp4"); ok {
		t.Fatal("a.mp4 was sent again")
	}
	if n := len(r.eng.Snapshot().Jobs); n != 2 {
		t.Fatalf("%d jobs in the queue; want the two uploads", n)
	}
}

// A file replaced by a new version (another size or mtime) is uploaded
// again; the same version never is.
func TestReplacedFileIsUploadedAgain(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))
	p, sha1 := tustest.RandomFile(t, dir, "take.mp4", 100<<10, 1)
	arrived(t, r.srv, "take.mp4", sha1)
	r.waitEvents(Uploaded, p, 1)

	// A new version written beside it and renamed over it, as editors save.
	tmp, sha2 := tustest.RandomFile(t, dir, ".take.mp4.tmp", 150<<10, 2)
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	arrived(t, r.srv, "take.mp4", sha2)
	// The same bytes, touched to another mtime: a new version too.
	wine.Skip(t, "its ReadDirectoryChangesW reports no change of a file's times alone (SetFileTime); Windows reports it as a write")
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	r.waitEvents(Uploaded, p, 3)
	quiet()
	created(t, r.srv, 3)
}

// Move after upload: into uploaded/, at the same place below it, never
// over a file there, and never uploaded again from there.
func TestMovedAfterUpload(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	f := r.folder(dir)
	f.After = settings.AfterMove
	r.watch(f)
	// A file of that name is in uploaded/ already.
	tustest.RandomFile(t, filepath.Join(dir, "uploaded"), "a.mp4", 10, 9)
	pa, shaA := tustest.RandomFile(t, dir, "a.mp4", 100<<10, 1)
	pb, shaB := tustest.RandomFile(t, filepath.Join(dir, "sub"), "b.mp4", 100<<10, 2)
	r.waitEvents(Moved, pa, 1)
	r.waitEvents(Moved, pb, 1)
	arrived(t, r.srv, "a.mp4", shaA)
	arrived(t, r.srv, "b.mp4", shaB)
	for p, want := range map[string]string{filepath.Join(dir, "uploaded", "a (1).mp4"): shaA, filepath.Join(dir, "uploaded", "sub", "b.mp4"): shaB} {
		if !exists(p) || tustest.FileSHA256(t, p) != want {
			t.Fatalf("%s is not the uploaded file\n%s", p, r.dump())
		}
	}
	if exists(pa) || exists(pb) {
		t.Fatal("a moved file is still in place")
	}
	if ev, _ := r.find(Moved, pa); ev.To != filepath.Join(dir, "uploaded", "a (1).mp4") {
		t.Fatalf("moved to %s", ev.To)
	}
	quiet()
	created(t, r.srv, 2)
}

// Delete after upload, and only once the server holds every byte.
func TestDeletedAfterUploadOnlyWhenWhole(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	r := newRig(t, srv, Options{})
	dir := wine.TempDir(t)
	f := r.folder(dir)
	f.After = settings.AfterDelete
	r.watch(f)
	p, sha := tustest.RandomFile(t, dir, "big.mp4", 3<<20, 1)
	waitUntil(t, "part of the upload", func() bool { return srv.BytesReceived() > 512<<10 })
	if !exists(p) {
		t.Fatal("deleted before the server had every byte")
	}
	r.waitEvents(Deleted, p, 1)
	if exists(p) {
		t.Fatal("still there")
	}
	arrived(t, srv, "big.mp4", sha)
	created(t, srv, 1)
}

// A job that finished while the watcher was not running (ferry resume,
// say) still gets the folder's after-upload action; a file uploaded
// before the folder was watched does not.
func TestAfterUploadOfJobsFinishedWhileNotWatching(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	dest := engine.Destination{URL: r.srv.URL}
	send := func(p string) {
		a := r.eng.AddMany([]string{p}, dest)
		if a[0].Err != nil {
			t.Fatal(a[0].Err)
		}
		waitUntil(t, p+" done", func() bool { j, _ := r.eng.Job(a[0].Job.ID); return j.State == engine.Done })
	}
	before, _ := tustest.RandomFile(t, dir, "before.mp4", 1000, 1)
	send(before)
	time.Sleep(10 * time.Millisecond)
	f := r.folder(dir)
	f.After = settings.AfterMove
	if _, err := r.eng.SaveWatchFolder(f); err != nil {
		t.Fatal(err)
	}
	after, _ := tustest.RandomFile(t, dir, "after.mp4", 1000, 2)
	send(after)

	r.watch(f)
	r.waitEvents(Moved, after, 1)
	quiet()
	if !exists(before) || exists(after) || r.count(Moved, before) != 0 {
		t.Fatalf("before.mp4 there: %v, after.mp4 there: %v\n%s", exists(before), exists(after), r.dump())
	}
	created(t, r.srv, 2)
}

// Stopped in the middle of an upload, the next run goes on with the same
// upload and moves the file once it is done.
func TestStoppedMidUploadGoesOnAfterRestart(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	r := newRig(t, srv, Options{})
	dir := wine.TempDir(t)
	f := r.folder(dir)
	f.After = settings.AfterMove
	r.watch(f)
	p, sha := tustest.RandomFile(t, mkdir(t, filepath.Join(dir, "day1")), "long.mp4", 6<<20, 1)
	waitUntil(t, "part of the upload", func() bool { return srv.BytesReceived() > 1<<20 })
	r.close()
	if up, _ := srv.UploadByName("long.mp4"); up.Done {
		t.Fatal("stopped too late to test anything")
	}
	srv.SetFaults(tustest.Faults{})
	r.open()
	r.add(f)
	moved := filepath.Join(dir, "uploaded", "day1", "long.mp4")
	r.waitEvents(Moved, p, 1)
	arrived(t, srv, "long.mp4", sha)
	if tustest.FileSHA256(t, moved) != sha {
		t.Fatal("the moved file is not the uploaded one")
	}
	created(t, srv, 1)
}

// A thousand files dropped in at once all arrive, each once, whole, with
// the number of files waiting and of goroutines bounded; above the bound
// the folder falls back to a rescan.
func TestThousandFilesAtOnce(t *testing.T) {
	const n, bound = 1000, 200
	r := newRig(t, nil, Options{MaxPending: bound, Batch: 128})
	r.eng.SetConcurrency(8)
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))

	var peakG, peakS atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
				peakG.Store(g)
			}
			if s := int64(r.status(dir).Settling); s > peakS.Load() {
				peakS.Store(s)
			}
		}
	}()
	// Made outside, then dropped in: half of them one by one (a burst of
	// events), half as a folder moved in at once (one event, a walk).
	staging := wine.TempDir(t)
	want := map[string]string{}
	for i := range n {
		sub := staging
		if i >= n/2 {
			sub = filepath.Join(staging, "card", string(rune('a'+i%10)))
		}
		name := "clip" + strconv.Itoa(i) + ".mp4"
		_, want[name] = tustest.RandomFile(t, sub, name, int64(1000+i*7), int64(i))
	}
	base := runtime.NumGoroutine()
	entries, _ := os.ReadDir(staging)
	for _, e := range entries {
		if err := os.Rename(filepath.Join(staging, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "1000 uploads", func() bool { return r.status(dir).Uploaded >= n })
	close(stop)
	<-sampled
	quiet()
	created(t, r.srv, n)
	got := map[string]int{}
	for _, up := range r.srv.Uploads() {
		name := up.MetaData["filename"]
		got[name]++
		if !up.Done || up.SHA256 != want[name] {
			t.Fatalf("%s arrived as %+v", name, up)
		}
	}
	if len(got) != n {
		t.Fatalf("%d distinct files arrived", len(got))
	}
	if s := r.status(dir); s.Uploaded != n || s.Found() != n || s.Failed != 0 {
		t.Fatalf("status %+v", s)
	}
	t.Logf("goroutines: %d before, at most %d during; at most %d files settling", base, peakG.Load(), peakS.Load())
	if peakS.Load() > bound {
		t.Fatalf("%d files waited at once; the bound is %d", peakS.Load(), bound)
	}
	// Uploads take goroutines (the client's and the server's, per
	// connection: about ten each); files waiting do not.
	if peakG.Load() > int64(base)+12*engine.SmallSlots {
		t.Fatalf("goroutines grew from %d to %d", base, peakG.Load())
	}
}

// A folder deleted is shown missing, and watched again once it is back.
func TestFolderDeletedAndMadeAgainIsWatchedAgain(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := filepath.Join(wine.TempDir(t), "Exports")
	mkdir(t, dir)
	r.watch(r.folder(dir))
	wine.Skip(t, "a deleted folder stays, without an event and readable, while a handle to it is open (Windows marks it delete-pending and ends the watch)")
	if err := wine.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "missing", func() bool { return r.status(dir).State == Missing })
	if s := r.status(dir); !strings.Contains(s.Problem, dir+" is not there") || !strings.Contains(s.Problem, "watched again") {
		t.Fatalf("problem: %q", s.Problem)
	}
	if _, ok := r.find(Trouble, dir); !ok {
		t.Fatalf("no trouble event:\n%s", r.dump())
	}
	n := r.count(Scanned, dir)
	mkdir(t, dir)
	r.waitEvents(Scanned, dir, n+1)
	if s := r.status(dir); s.State != Watching || s.Problem != "" {
		t.Fatalf("back: %+v", s)
	}
	_, sha := tustest.RandomFile(t, mkdir(t, filepath.Join(dir, "sub")), "back.mp4", 1000, 1)
	arrived(t, r.srv, "back.mp4", sha)
	created(t, r.srv, 1)
}

// A sub-folder that cannot be read is named and skipped; the rest is
// uploaded. (Root reads everything: the command-line test covers this as
// another user.)
func TestUnreadableSubFolderIsNamedAndSkipped(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every folder; TestWatchNamesAnUnreadableSubFolder runs it as another user")
	}
	if runtime.GOOS == "windows" {
		t.Skip("chmod does not make a folder unreadable on Windows (that takes an access list)")
	}
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	locked := mkdir(t, filepath.Join(dir, "locked"))
	tustest.RandomFile(t, locked, "secret.mp4", 1000, 1)
	os.Chmod(locked, 0)
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	r.watch(r.folder(dir))
	_, sha := tustest.RandomFile(t, dir, "ok.mp4", 1000, 2)
	arrived(t, r.srv, "ok.mp4", sha)
	want := "Cannot read " + locked + ": permission denied; skipped"
	if s := r.status(dir); s.State != Watching || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], want) {
		t.Fatalf("status %+v", s)
	}
	if ev, ok := r.find(Trouble, locked); !ok || !strings.Contains(ev.Msg, want) {
		t.Fatalf("events:\n%s", r.dump())
	}
	created(t, r.srv, 1)
}

// The sentences for the system's limits say which one to raise.
func TestLimitSentences(t *testing.T) {
	if runtime.GOOS == "linux" {
		tr := watchTrouble("/w/sub", syscall.ENOSPC, 10*time.Minute)
		if !strings.Contains(tr.msg, "fs.inotify.max_user_watches") || !strings.Contains(tr.msg, "sudo sysctl") ||
			!strings.Contains(tr.msg, "/w/sub") || !strings.Contains(tr.msg, "every 10m") || tr.key != limitKey {
			t.Fatalf("%q", tr.msg)
		}
		if tr := watchTrouble("/w", syscall.EMFILE, time.Minute); !strings.Contains(tr.msg, "fs.inotify.max_user_instances") {
			t.Fatalf("%q", tr.msg)
		}
	}
	if tr := watchTrouble("/w/x", os.ErrPermission, time.Minute); !strings.Contains(tr.msg, "Cannot read /w/x: permission denied; skipped") {
		t.Fatalf("%q", tr.msg)
	}
	if tr := watchTrouble("/w/x", os.ErrNotExist, time.Minute); tr != nil {
		t.Fatalf("a folder gone meanwhile: %q", tr.msg)
	}
}

// A paused folder queues nothing; resumed, it takes what arrived.
func TestPausedFolderQueuesNothingUntilResumed(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))
	if err := r.w.Pause(dir); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "paused", func() bool { return r.status(dir).State == Paused })
	_, sha := tustest.RandomFile(t, dir, "a.mp4", 1000, 1)
	quiet()
	created(t, r.srv, 0)
	if saved, _ := r.eng.WatchFolderOf(dir); !saved.Paused {
		t.Fatal("the pause is not saved")
	}
	if err := r.w.Resume(dir); err != nil {
		t.Fatal(err)
	}
	arrived(t, r.srv, "a.mp4", sha)
	created(t, r.srv, 1)
	if err := r.w.Pause(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "is not a watch folder") {
		t.Fatalf("pausing an unknown folder: %v", err)
	}
}

// A file whose upload fails is said once and not queued again by every
// rescan; a new version of it is.
func TestFailedFileIsNotRetriedUntilItChanges(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("right"))
	r := newRig(t, srv, Options{Rescan: time.Second})
	dir := wine.TempDir(t)
	r.watch(r.folder(dir))
	p, _ := tustest.RandomFile(t, dir, "a.mp4", 1000, 1)
	r.waitEvents(Failed, p, 1)
	if ev, _ := r.find(Failed, p); !strings.Contains(ev.Msg, "401") {
		t.Fatalf("failure: %q", ev.Msg)
	}
	time.Sleep(2500 * time.Millisecond) // two rescans
	if n := r.count(Queued, p); n != 1 {
		t.Fatalf("queued %d times", n)
	}
	if s := r.status(dir); s.Failed != 1 || s.Queued != 0 {
		t.Fatalf("status %+v", s)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	r.waitEvents(Queued, p, 2)
}

// A folder whose saved destination is removed says so and waits; given a
// destination again, it takes what arrived meanwhile.
func TestDestinationGoneThenGivenAgain(t *testing.T) {
	r := newRig(t, nil, Options{})
	studio := engine.Destination{Name: "studio", URL: r.srv.URL}
	if err := r.eng.SaveDestination(studio, nil); err != nil {
		t.Fatal(err)
	}
	dir := wine.TempDir(t)
	f := r.folder(dir)
	f.Dest = engine.Destination{Name: "studio"}
	r.watch(f)
	if err := r.eng.RemoveDestination("studio"); err != nil {
		t.Fatal(err)
	}
	p, sha := tustest.RandomFile(t, dir, "a.mp4", 1000, 1)
	waitUntil(t, "the folder failing", func() bool { return r.status(dir).State == Failing })
	if s := r.status(dir); !strings.Contains(s.Problem, `There is no saved destination "studio"`) {
		t.Fatalf("problem %q", s.Problem)
	}
	quiet()
	if n := r.count(Trouble, dir); n != 1 {
		t.Fatalf("%d trouble events:\n%s", n, r.dump())
	}
	created(t, r.srv, 0)
	// The window gives it another destination.
	f.Dest = engine.Destination{URL: r.srv.URL}
	r.add(f)
	arrived(t, r.srv, "a.mp4", sha)
	r.waitEvents(Uploaded, p, 1)
	if s := r.status(dir); s.State != Watching || s.Problem != "" {
		t.Fatalf("status %+v", s)
	}
}

// What the user does to a folder's jobs in the queue stands, across a
// restart too: a cancelled file is left alone, a paused one stays paused
// (and, resumed, is done and counted).
func TestCancelledAndPausedJobsStayThatWay(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 256 << 10}))
	r := newRig(t, srv, Options{})
	dir := wine.TempDir(t)
	f := r.watch(r.folder(dir))
	pa, _ := tustest.RandomFile(t, dir, "a.mp4", 2<<20, 1)
	pb, shaB := tustest.RandomFile(t, dir, "b.mp4", 2<<20, 2)
	r.waitEvents(Queued, pa, 1)
	r.waitEvents(Queued, pb, 1)
	qa, _ := r.find(Queued, pa)
	qb, _ := r.find(Queued, pb)
	if err := r.eng.Cancel(qa.Job.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.Pause(qb.Job.ID); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(Cancelled, pa, 1)
	r.close()

	r.open()
	r.watch(f)
	quiet()
	ja, _ := r.eng.Job(qa.Job.ID)
	jb, _ := r.eng.Job(qb.Job.ID)
	if ja.State != engine.Cancelled || jb.State != engine.Paused || r.count(Queued, pa) != 1 || r.count(Queued, pb) != 1 {
		t.Fatalf("after a restart a is %s, b is %s:\n%s", ja.State, jb.State, r.dump())
	}
	if s := r.status(dir); s.Queued != 1 {
		t.Fatalf("status %+v", s)
	}
	srv.SetFaults(tustest.Faults{})
	if err := r.eng.Resume(qb.Job.ID); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(Uploaded, pb, 1)
	arrived(t, srv, "b.mp4", shaB)
	if s := r.status(dir); s.Queued != 0 || s.Uploaded != 1 {
		t.Fatalf("status %+v", s)
	}
}

// A file where the sub-folder should be: one sentence for the folder,
// not one per file, and not again at every walk.
func TestMoveIntoAFileIsSaidOnce(t *testing.T) {
	r := newRig(t, nil, Options{Rescan: 300 * time.Millisecond})
	dir := wine.TempDir(t)
	os.WriteFile(filepath.Join(dir, "uploaded"), []byte("x"), 0o644)
	f := r.folder(dir)
	f.After = settings.AfterMove
	r.watch(f)
	pa, _ := tustest.RandomFile(t, dir, "a.mp4", 10<<10, 1)
	pb, _ := tustest.RandomFile(t, dir, "b.mp4", 10<<10, 2)
	r.waitEvents(Uploaded, pa, 1)
	r.waitEvents(Uploaded, pb, 1)
	quiet() // several walks
	var said []string
	r.mu.Lock()
	for _, ev := range r.events {
		if ev.Kind == Failed {
			said = append(said, ev.Msg)
		}
	}
	r.mu.Unlock()
	if len(said) != 1 || !strings.Contains(said[0], "is a file, not a folder") {
		t.Fatalf("failures said: %q; want one sentence that the sub-folder is a file\n%s", said, r.dump())
	}
	if !exists(pa) || !exists(pb) {
		t.Fatal("a file that could not be moved is gone")
	}
}
