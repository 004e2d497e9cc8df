package app

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/wine"
)

func TestFirstStartMakesTheBuiltinReceiverTheDefault(t *testing.T) {
	home := wine.TempDir(t)
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // Windows' home
	eng, err := engine.Open(engine.Options{DataDir: wine.TempDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := firstStart(eng); err != nil {
		t.Fatal(err)
	}
	d, ok := eng.SavedDestination(builtinName)
	if !ok || d.Kind != dest.KindBuiltin || eng.DefaultDestination() != builtinName {
		t.Fatalf("after first start: %+v %v, default %q", d, ok, eng.DefaultDestination())
	}
	if d.Dir != filepath.Join(home, "Ferry", "Received") || !strings.HasPrefix(d.URL, "http://127.0.0.1:") {
		t.Fatalf("builtin destination %s at %s, want ~/Ferry/Received on loopback", d.Dir, d.URL)
	}
	// A second start keeps what the user has.
	if err := eng.SaveDestination(engine.Destination{Name: "studio", Kind: dest.KindTus, URL: "https://tus.example.com/files/"}, nil); err != nil {
		t.Fatal(err)
	}
	eng.SetDefaultDestination("studio")
	if err := firstStart(eng); err != nil || eng.DefaultDestination() != "studio" || len(eng.Destinations()) != 2 {
		t.Fatalf("a later start changed the destinations: %v, default %q", err, eng.DefaultDestination())
	}
}

func TestWhatOpensTheWindow(t *testing.T) {
	file := filepath.Join(wine.TempDir(t), "a.mp4")
	os.WriteFile(file, []byte("x"), 0o644)
	for arg, want := range map[string]bool{
		file: true, "--to": true, "-data-dir": true,
		"-h": false, "--help": false, "upload": false, "fly": false,
	} {
		if got := opensWindow(arg); got != want {
			t.Errorf("opensWindow(%q) = %v, want %v", arg, got, want)
		}
	}
	wa, err := parseWindowArgs([]string{"--to", "studio", "a.mp4", "--limit-rate", "2MB", "dir"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if wa.to != "studio" || wa.c.limitRate != 2_000_000 || len(wa.paths) != 2 || !filepath.IsAbs(wa.paths[0]) {
		t.Fatalf("parsed %+v", wa)
	}
	if _, err := parseWindowArgs([]string{"--concurrency", "-2"}, nil); err == nil {
		t.Fatal("a negative concurrency was taken")
	}
}

// A second `ferry FILE` gives the files to the window that runs.
type recordingFront struct {
	mu    sync.Mutex
	shown int
	added []string
}

func (f *recordingFront) Show() { f.mu.Lock(); f.shown++; f.mu.Unlock() }
func (f *recordingFront) Add(paths []string, dest string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, paths...)
	return len(paths), nil
}

// runningFerry is a Ferry holding a queue, with a window (front) or
// without (nil); it returns the data dir.
func runningFerry(t *testing.T, front control.Front) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fw") // a unix socket path must be short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wine.RemoveAll(dir) })
	eng, err := engine.Open(engine.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	t.Cleanup(control.ServeFront(eng, front))
	return dir
}

func TestASecondFerryHandsItsFilesToTheWindow(t *testing.T) {
	f := &recordingFront{}
	dir := runningFerry(t, f)

	// The binary: the queue is locked, so it hands over and exits 0.
	file := filepath.Join(wine.TempDir(t), "late.mov")
	os.WriteFile(file, []byte("x"), 0o644)
	r := ferry(t, "--data-dir", dir, file)
	if r.code != 0 || !strings.Contains(r.stdout, "Handed to the running Ferry: 1 queued") {
		t.Fatalf("second ferry: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r = ferry(t, "--data-dir", dir); r.code != 0 {
		t.Fatalf("ferry alone while one runs: exit %d, %q", r.code, r.stderr)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.added) != 1 || f.added[0] != file || f.shown != 1 {
		t.Fatalf("front got %v and %d shows, want [%s] and 1", f.added, f.shown, file)
	}
}

func TestASecondFerryBesideAHeadlessOneSaysSo(t *testing.T) {
	dir := runningFerry(t, nil) // a ferry upload: no window
	file := filepath.Join(wine.TempDir(t), "x.mov")
	os.WriteFile(file, []byte("x"), 0o644)
	r := ferry(t, "--data-dir", dir, file)
	if r.code != 1 || !strings.Contains(r.stderr, "without a window") {
		t.Fatalf("exit %d, %q; want 1 and a sentence about the Ferry without a window", r.code, r.stderr)
	}
}
