package watch

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/watch/settings"
)

// The counts a folder shows (found, uploaded, their bytes) are kept with
// it: closing the watcher and the engine and opening them again on the
// same data dir shows them at once; the walk at start does not count the
// files uploaded before twice; new settings keep them; a folder removed
// and added again starts from nothing.
func TestCountsSurviveARestart(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	f := r.watch(r.folder(dir))
	pa, _ := tustest.RandomFile(t, dir, "a.mp4", 300<<10, 1)
	pb, _ := tustest.RandomFile(t, dir, "b.mp4", 200<<10, 2)
	r.awaitEvents("a.mp4 and b.mp4 uploaded", func() bool {
		return r.count(Uploaded, pa) == 1 && r.count(Uploaded, pb) == 1
	})
	if s := r.status(dir); s.Uploaded != 2 || s.Bytes != 500<<10 || s.Found() != 2 {
		t.Fatalf("before the restart: %+v", s)
	}
	r.close()

	r.open()
	scans := r.count(Scanned, dir)
	if err := r.w.StartSaved(); err != nil {
		t.Fatal(err)
	}
	// At once, before the folder is walked.
	if s := r.status(dir); s.Uploaded != 2 || s.Bytes != 500<<10 {
		t.Fatalf("right after the restart: uploaded %d, %d bytes; want 2 and %d", s.Uploaded, s.Bytes, 500<<10)
	}
	r.awaitEvents("the walk after the restart", func() bool { return r.count(Scanned, dir) > scans })
	if ev, _ := r.find(Scanned, dir); ev.Count != 2 || ev.Before != 2 {
		t.Fatalf("the walk found %d files, %d uploaded before; want 2 and 2", ev.Count, ev.Before)
	}
	if s := r.status(dir); s.Uploaded != 2 || s.Found() != 2 || s.Settling+s.Queued != 0 {
		t.Fatalf("after the walk: %+v (the files uploaded before are not counted again)", s)
	}

	// New settings, same folder: what it did stands.
	f.Settle = 2 * settle
	r.add(f)
	if c := r.eng.WatchCountsOf(dir); c != (settings.WatchCounts{Uploaded: 2, Bytes: 500 << 10}) {
		t.Fatalf("saved counts after new settings: %+v", c)
	}
	pc, _ := tustest.RandomFile(t, mkdir(t, filepath.Join(dir, "day2")), "c.mp4", 100<<10, 3)
	r.awaitEvents("c.mp4 uploaded", func() bool { return r.count(Uploaded, pc) == 1 })
	if s := r.status(dir); s.Uploaded != 3 || s.Bytes != 600<<10 {
		t.Fatalf("after c.mp4: %+v", s)
	}
	r.close()

	r.open()
	r.add(f) // added again by hand (the command line) rather than StartSaved
	if s := r.status(dir); s.Uploaded != 3 || s.Bytes != 600<<10 {
		t.Fatalf("after the second restart: uploaded %d, %d bytes", s.Uploaded, s.Bytes)
	}
	created(t, r.srv, 3)

	// Removed, the folder's counts go with it.
	if err := r.w.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if c := r.eng.WatchCountsOf(dir); c != (settings.WatchCounts{}) {
		t.Fatalf("counts of a removed folder: %+v", c)
	}
	r.watch(r.folder(dir))
	if s := r.status(dir); s.Uploaded != 0 || s.Bytes != 0 || s.Found() != 0 {
		t.Fatalf("added again: %+v", s)
	}
}

// A file waiting to be still is named in Status, with the time it goes if
// it stays so; the one due first is named when several wait.
func TestSettlingFileIsNamedWithItsDueTime(t *testing.T) {
	r := newRig(t, nil, Options{})
	dir := wine.TempDir(t)
	one := mkdir(t, filepath.Join(dir, "one"))
	three := mkdir(t, filepath.Join(dir, "three"))
	p, _ := tustest.RandomFile(t, one, "holiday.mp4", 1000, 1)
	var paths []string
	for i, n := range []string{"a.mp4", "b.mov", "c.mkv"} {
		q, _ := tustest.RandomFile(t, three, n, 1000, int64(i+2))
		paths = append(paths, q)
	}
	f := r.folder(one)
	f.Settle = time.Hour // nothing goes while the test looks
	before := time.Now()
	r.watch(f) // waits for the walk's Scanned event: Status shows what it found
	after := time.Now()
	s := r.status(one)
	if s.Settling != 1 || s.SettlingFirst != p {
		t.Fatalf("settling %d, first %q; want 1, %s", s.Settling, s.SettlingFirst, p)
	}
	if s.SettlingDue.Before(before.Add(time.Hour)) || s.SettlingDue.After(after.Add(time.Hour)) {
		t.Fatalf("due %v, want within [%v, %v]", s.SettlingDue, before.Add(time.Hour), after.Add(time.Hour))
	}

	f = r.folder(three)
	f.Settle = time.Hour
	r.watch(f)
	s = r.status(three)
	found := false
	for _, q := range paths {
		found = found || q == s.SettlingFirst
	}
	if s.Settling != 3 || !found || s.SettlingDue.IsZero() {
		t.Fatalf("three files: %+v", s)
	}

	created(t, r.srv, 0)
}
