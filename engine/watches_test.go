package engine

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/watch/settings"
)

// Uploaded answers from completion records alone: asking about a file
// makes no job and publishes nothing, a sent file stays known as sent once
// its job is removed, and another version of it is not.
func TestUploadedAsksWithoutQueueing(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	p, sha := tustest.RandomFile(t, dir, "a.mp4", 300<<10, 1)
	other, _ := tustest.RandomFile(t, dir, "b.mp4", 10, 2)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "a.mp4", sha, 1)
	if err := e.Remove(j.ID); err != nil {
		t.Fatal(err)
	}

	sub := e.Subscribe(AllEvents&^TotalsChanged.Mask(), 16)
	defer sub.Close()
	version := func(path string) FileVersion {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return VersionOf(path, fi)
	}
	before := time.Now()
	at, err := e.Uploaded(destOf(srv), []FileVersion{version(p), version(other)})
	if err != nil {
		t.Fatal(err)
	}
	if at[0].IsZero() || at[0].After(before) || !at[1].IsZero() {
		t.Fatalf("uploaded at %v", at)
	}
	// Relative paths are the same files, as AddMany takes them. (From the
	// file's own folder: on Windows another drive has no relative path.)
	t.Chdir(filepath.Dir(p))
	rel := filepath.Base(p)
	if at, _ := e.Uploaded(destOf(srv), []FileVersion{{Path: rel, Size: version(p).Size, ModTime: version(p).ModTime}}); at[0].IsZero() {
		t.Fatal("a relative path is another file")
	}
	// Another destination, another version: not uploaded.
	if at, _ := e.Uploaded(Destination{URL: srv.URL + "other/"}, []FileVersion{version(p)}); !at[0].IsZero() {
		t.Fatal("uploaded to a destination it never went to")
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(p, later, later)
	if at, _ := e.Uploaded(destOf(srv), []FileVersion{version(p)}); !at[0].IsZero() {
		t.Fatal("a new version counts as uploaded")
	}
	if n := len(e.Snapshot().Jobs); n != 0 {
		t.Fatalf("asking made %d jobs", n)
	}
	select {
	case ev := <-sub.C:
		t.Fatalf("asking published %s", ev.Type)
	default:
	}
	if _, err := e.Uploaded(Destination{Name: "nowhere"}, nil); fault.CodeOf(err) != fault.CodeNoDestination {
		t.Fatalf("unknown destination: %v", err)
	}
}

func TestJobForFindsTheFilesJob(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t) // not started: the job stays queued
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 10, 1)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := e.JobFor(p, destOf(srv)); !ok || got.ID != j.ID {
		t.Fatalf("JobFor: %+v %v", got, ok)
	}
	if _, ok := e.JobFor(p, Destination{URL: srv.URL + "x/"}); ok {
		t.Fatal("a job for another destination")
	}
	e.Remove(j.ID)
	if _, ok := e.JobFor(p, destOf(srv)); ok {
		t.Fatal("a removed job")
	}
}

// Watch folders survive a restart, keep the time they were first added,
// and keep no secrets.
func TestWatchFoldersPersistWithoutSecrets(t *testing.T) {
	dir := wine.TempDir(t)
	e, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	watched := wine.TempDir(t)
	h := http.Header{"Authorization": {"Bearer s3cret"}, "X-Project": {"demo"}}
	f, err := e.SaveWatchFolder(settings.WatchFolder{Dir: watched, Dest: Destination{URL: "https://user:pw@example.com/files/", Header: h},
		Exts: []string{".MP4", "mov", "mp4"}, After: settings.AfterMove})
	if err != nil {
		t.Fatal(err)
	}
	if f.Settle != settings.DefaultSettle || f.MoveTo != settings.DefaultMoveTo || strings.Join(f.Exts, ",") != "mp4,mov" || f.Added.IsZero() {
		t.Fatalf("saved as %+v", f)
	}
	added := f.Added
	time.Sleep(10 * time.Millisecond)
	f.Paused = true
	if f, err = e.SaveWatchFolder(f); err != nil || !f.Added.Equal(added) {
		t.Fatalf("saved again: %v, added %v then %v", err, added, f.Added)
	}
	if _, err := e.SaveWatchFolder(settings.WatchFolder{Dir: wine.TempDir(t), Dest: Destination{Name: "gone"}}); fault.CodeOf(err) != fault.CodeNoDestination {
		t.Fatalf("unknown saved destination: %v", err)
	}
	if _, err := e.SaveWatchFolder(settings.WatchFolder{Dir: wine.TempDir(t), Dest: Destination{URL: "ftp://x"}}); err == nil || !strings.Contains(err.Error(), "is not an upload URL") {
		t.Fatalf("a bad URL: %v", err)
	}
	e.Close()

	raw, _ := os.ReadFile(filepath.Join(dir, store.FileName))
	if bytes.Contains(raw, []byte("s3cret")) || bytes.Contains(raw, []byte("user:pw")) {
		t.Fatal("a secret is in the database")
	}
	e, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	all, err := e.WatchFolders()
	if err != nil || len(all) != 1 {
		t.Fatalf("after a restart: %+v %v", all, err)
	}
	g := all[0]
	if g.Dir != watched || !g.Paused || g.After != settings.AfterMove || !g.Added.Equal(added) ||
		g.Dest.URL != "https://example.com/files/" || g.Dest.Header.Get("X-Project") != "demo" || g.Dest.Header.Get("Authorization") != "" {
		t.Fatalf("after a restart: %+v", g)
	}
	if err := e.RemoveWatchFolder(watched); err != nil {
		t.Fatal(err)
	}
	if all, _ := e.WatchFolders(); len(all) != 0 {
		t.Fatalf("removed, still there: %+v", all)
	}
}

func TestWatchFolderSettingsAreChecked(t *testing.T) {
	d := Destination{URL: "http://127.0.0.1:1/files/"}
	abs := wine.TempDir(t)
	cases := map[string]settings.WatchFolder{
		"absolute path":        {Dir: "rel", Dest: d},
		"is not one":           {Dir: abs, Dest: d, After: settings.AfterMove, MoveTo: "../out"},
		"not an after-upload":  {Dir: abs, Dest: d, After: "burn"},
		"not a file extension": {Dir: abs, Dest: d, Exts: []string{"mp4/x"}},
		"cannot be negative":   {Dir: abs, Dest: d, Settle: -time.Second},
	}
	for want, f := range cases {
		if _, err := f.Normal(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", f, err, want)
		}
	}
	f, err := settings.WatchFolder{Dir: abs, Dest: d, Exts: []string{"mp4", "*"}}.Normal()
	if err != nil || len(f.Exts) != 1 || f.Exts[0] != "*" || f.After != settings.AfterKeep {
		t.Fatalf("%+v %v", f, err)
	}
}

// A watch folder's counts are kept in its record: new settings keep them,
// a restart reads them back, saving them never brings back a folder
// removed meanwhile, and counts and settings saved at the same time both
// stand.
func TestWatchCountsAreKeptWithTheFolder(t *testing.T) {
	dir := wine.TempDir(t)
	e, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	watched := wine.TempDir(t)
	d := Destination{URL: "http://127.0.0.1:1/files/"}
	f, err := e.SaveWatchFolder(settings.WatchFolder{Dir: watched, Dest: d})
	if err != nil {
		t.Fatal(err)
	}
	if c := e.WatchCountsOf(watched); c != (settings.WatchCounts{}) {
		t.Fatalf("a new folder's counts: %+v", c)
	}
	if err := e.SaveWatchCounts(watched, settings.WatchCounts{Uploaded: 2, Bytes: 3 << 20}); err != nil {
		t.Fatal(err)
	}
	f.Settle = time.Minute
	if _, err := e.SaveWatchFolder(f); err != nil {
		t.Fatal(err)
	}
	if c := e.WatchCountsOf(watched); c != (settings.WatchCounts{Uploaded: 2, Bytes: 3 << 20}) {
		t.Fatalf("after new settings: %+v", c)
	}

	// Counts (one writer, the folder's loop) and settings (the window)
	// saved at the same time: the last of each stands.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 3; i <= 50; i++ {
			if err := e.SaveWatchCounts(watched, settings.WatchCounts{Uploaded: i, Bytes: int64(i) << 20}); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := 1; i <= 10; i++ {
		f.Settle = time.Duration(i) * time.Second
		if _, err := e.SaveWatchFolder(f); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	e.Close()

	e, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if c := e.WatchCountsOf(watched); c != (settings.WatchCounts{Uploaded: 50, Bytes: 50 << 20}) {
		t.Fatalf("after a restart: %+v", c)
	}
	if g, ok := e.WatchFolderOf(watched); !ok || g.Settle != 10*time.Second {
		t.Fatalf("settings after a restart: %+v", g)
	}
	if err := e.RemoveWatchFolder(watched); err != nil {
		t.Fatal(err)
	}
	if err := e.SaveWatchCounts(watched, settings.WatchCounts{Uploaded: 51}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.WatchFolderOf(watched); ok {
		t.Fatal("saving the counts of a removed folder brought it back")
	}
	if all, _ := e.WatchFolders(); len(all) != 0 {
		t.Fatalf("removed, still there: %+v", all)
	}
}
