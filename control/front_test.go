package control

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/wine"
)

// fakeFront records what other processes asked of the window.
type fakeFront struct {
	mu     sync.Mutex
	shows  int
	adds   [][]string
	dests  []string
	queued int   // what Add answers; -1: all paths
	err    error // what Add answers
}

func (f *fakeFront) Show() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shows++
}

func (f *fakeFront) Add(paths []string, dest string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.adds = append(f.adds, paths)
	f.dests = append(f.dests, dest)
	if f.queued < 0 {
		return len(paths), f.err
	}
	return f.queued, f.err
}

// dataDir is a data dir short enough for a socket name (under 108
// bytes), which t.TempDir may not be.
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wine.RemoveAll(dir) })
	return dir
}

func openEngine(t *testing.T) *engine.Engine {
	t.Helper()
	eng, err := engine.Open(engine.Options{DataDir: dataDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func serve(t *testing.T, eng *engine.Engine, f Front) {
	t.Helper()
	stop := ServeFront(eng, f)
	t.Cleanup(stop)
}

func TestShowAndHandReachFront(t *testing.T) {
	eng := openEngine(t)
	f := &fakeFront{queued: -1}
	serve(t, eng, f)
	dir := eng.DataDir()

	if err := Show(dir); err != nil {
		t.Fatal(err)
	}
	if err := Show(dir); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, 10_000)
	for i := range paths {
		paths[i] = filepath.Join("/home/someone/Videos/a folder with a long name", fmt.Sprintf("clip %05d ünïcode \"q\".mov", i))
	}
	n, err := Hand(dir, paths, "cloudflare")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(paths) {
		t.Fatalf("Hand queued %d, want %d", n, len(paths))
	}
	if _, err := Hand(dir, paths[:1], ""); err != nil {
		t.Fatal(err)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shows != 2 {
		t.Fatalf("the window was shown %d times, want 2", f.shows)
	}
	if len(f.adds) != 2 || !slices.Equal(f.adds[0], paths) || !slices.Equal(f.adds[1], paths[:1]) {
		t.Fatalf("the window got %d lists; the first of %d paths", len(f.adds), len(f.adds[0]))
	}
	if !slices.Equal(f.dests, []string{"cloudflare", ""}) {
		t.Fatalf("destinations %q", f.dests)
	}
}

func TestHandReportsFrontError(t *testing.T) {
	eng := openEngine(t)
	serve(t, eng, &fakeFront{queued: 3, err: errors.New("No destination named vimeo; add it in Destinations")})
	n, err := Hand(eng.DataDir(), []string{"/a", "/b", "/c", "/d"}, "vimeo")
	if err == nil || err.Error() != "No destination named vimeo; add it in Destinations" {
		t.Fatalf("Hand: %v, want the window's sentence", err)
	}
	if n != 3 {
		t.Fatalf("Hand queued %d, want the 3 the window queued", n)
	}
}

func TestHandRefusesOversizedList(t *testing.T) {
	eng := openEngine(t)
	f := &fakeFront{queued: -1}
	serve(t, eng, f)
	long := "/" + strings.Repeat("x", 1023)
	paths := make([]string, maxAdd/len(long)+10)
	for i := range paths {
		paths[i] = long
	}
	_, err := Hand(eng.DataDir(), paths, "")
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("Hand of %d KiB: %v, want too long", len(paths), err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.adds) != 0 {
		t.Fatal("the window was handed an oversized list")
	}
}

func TestNoFrontIsNoWindow(t *testing.T) {
	eng := openEngine(t)
	stop := Serve(eng)
	defer stop()
	dir := eng.DataDir()
	if err := Show(dir); !errors.Is(err, ErrNoWindow) {
		t.Fatalf("Show: %v, want ErrNoWindow", err)
	}
	if _, err := Hand(dir, []string{"/a"}, ""); !errors.Is(err, ErrNoWindow) {
		t.Fatalf("Hand: %v, want ErrNoWindow", err)
	}
	// The rest still answers.
	if _, err := Snapshot(dir); err != nil {
		t.Fatal(err)
	}
}

func TestNothingListeningIsNoServer(t *testing.T) {
	dir := dataDir(t)
	if err := Show(dir); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Show: %v, want ErrNoServer", err)
	}
	if _, err := Hand(dir, []string{"/a"}, ""); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Hand: %v, want ErrNoServer", err)
	}

	// Nor once a server has stopped.
	eng := openEngine(t)
	stop := ServeFront(eng, &fakeFront{})
	if err := Show(eng.DataDir()); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := Show(eng.DataDir()); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Show after stop: %v, want ErrNoServer", err)
	}
}

// A Ferry from before /show and /add says it is too old, not "unreadable".
func TestOlderFerry(t *testing.T) {
	dir := dataDir(t)
	ln, _, err := listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NewServeMux()}
	go srv.Serve(ln)
	defer srv.Close()
	if err := Show(dir); err == nil || !strings.Contains(err.Error(), "older version") {
		t.Fatalf("Show: %v, want an older Ferry", err)
	}
	if errors.Is(Show(dir), ErrNoWindow) || errors.Is(Show(dir), ErrNoServer) {
		t.Fatal("an older Ferry is reported as another error")
	}
}

// A command the running Ferry refuses fails here with its code, as it
// would have there: the code survives the socket.
func TestCodesSurviveTheSocket(t *testing.T) {
	dir := dataDir(t)
	eng, err := engine.Open(engine.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	stop := Serve(eng)
	defer stop()
	err = Do(dir, Command{Op: "resume", IDs: []string{"no-such-job"}})
	if fault.CodeOf(err) != fault.CodeNoJob {
		t.Fatalf("resume of a job that is not there: %v (code %q), want %q", err, fault.CodeOf(err), fault.CodeNoJob)
	}
	if err := Show(dir); fault.CodeOf(err) != fault.CodeNoWindow || !errors.Is(err, ErrNoWindow) {
		t.Fatalf("Show with no window: %v (code %q)", err, fault.CodeOf(err))
	}
}
