package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// watching is a running "ferry watch" and what it printed.
type watching struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error // Wait's, once done
}

func (w *watching) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

// startWatch runs the built binary (bin; "" is the tests' own) with args.
func startWatch(t *testing.T, bin string, attr *syscall.SysProcAttr, args ...string) *watching {
	t.Helper()
	if bin == "" {
		bin = ferryBin
	}
	w := &watching{cmd: exec.Command(bin, append([]string{"watch"}, args...)...), done: make(chan struct{})}
	w.cmd.SysProcAttr = attr
	ownConsole(w.cmd)
	pr, pw := io.Pipe()
	w.cmd.Stdout, w.cmd.Stderr = pw, pw
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			w.mu.Lock()
			w.out.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
		}
	}()
	go func() { w.err = w.cmd.Wait(); pw.Close(); close(w.done) }()
	t.Cleanup(func() { w.cmd.Process.Kill(); <-w.done })
	return w
}

// inJSON is s as it appears inside a JSON string (a Windows path's
// backslashes doubled).
func inJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// waitFor waits until the output holds every one of want.
func (w *watching) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		out := w.output()
		missing := ""
		for _, s := range want {
			if !strings.Contains(out, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		select {
		case <-w.done:
			t.Fatalf("ferry watch exited (%v) before saying %q:\n%s", w.err, missing, out)
		case <-deadline:
			t.Fatalf("ferry watch did not say %q:\n%s", missing, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop asks ferry watch to stop as the system does (see stop) and fails
// unless it does so within a few seconds with the code a clean stop gives.
func (w *watching) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	want := stop(t, w.cmd)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("ferry watch still running 10 s after being asked to stop:\n%s", w.output())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("ferry watch took %s to stop", d)
	}
	if code := w.cmd.ProcessState.ExitCode(); code != want {
		t.Fatalf("exit %d after being asked to stop (%v), want %d:\n%s", code, w.err, want, w.output())
	}
}

// ferry watch uploads what is there and what comes, answers ferry queue
// meanwhile, stops cleanly on SIGTERM, and a second run sends nothing
// again.
func TestWatchStopsCleanlyAndDoesNotUploadAgain(t *testing.T) {
	srv := tustest.New(t)
	dir, data := wine.TempDir(t), wine.TempDir(t)
	pa, shaA := tustest.RandomFile(t, dir, "a.mp4", 500<<10, 1)
	args := []string{"--data-dir", data, "--settle", "300ms", "--to", srv.URL, dir}
	w := startWatch(t, "", nil, args...)
	w.waitFor(t, "Watching "+dir, dir+": 1 file(s) there, 0 uploaded before", "uploaded  "+pa+"  "+srv.URL)

	sub := filepath.Join(dir, "day2")
	os.Mkdir(sub, 0o755)
	pb, shaB := tustest.RandomFile(t, sub, "b.mov", 300<<10, 2)
	w.waitFor(t, "queued    "+pb, "uploaded  "+pb)

	q := ferry(t, "queue", "--data-dir", data)
	if q.code != 0 || !strings.Contains(q.stdout, pa) || !strings.Contains(q.stdout, pb) {
		t.Fatalf("ferry queue while watching: exit %d\n%s%s", q.code, q.stdout, q.stderr)
	}
	w.stop(t)
	if !strings.Contains(w.output(), "ferry: stopped") {
		t.Fatalf("no word of the stop:\n%s", w.output())
	}

	w = startWatch(t, "", nil, args...)
	w.waitFor(t, dir+": 2 file(s) there, 2 uploaded before")
	time.Sleep(time.Second)
	w.stop(t)
	if strings.Contains(w.output(), "queued  ") {
		t.Fatalf("the second run queued again:\n%s", w.output())
	}
	for name, sha := range map[string]string{"a.mp4": shaA, "b.mov": shaB} {
		if up, _ := srv.UploadByName(name); !up.Done || up.SHA256 != sha {
			t.Fatalf("%s arrived as %+v", name, up)
		}
	}
	if srv.Created() != 2 {
		t.Fatalf("created %d uploads", srv.Created())
	}
}

func TestWatchUsageErrors(t *testing.T) {
	dir := wine.TempDir(t)
	p, _ := tustest.RandomFile(t, dir, "a.mp4", 10, 1)
	to := "http://127.0.0.1:1/files/"
	cases := map[string][]string{
		"no folders given":               {"--to", to},
		"is not an after-upload action":  {"--to", to, "--after", "burn", dir},
		"is a file; ferry watch takes":   {"--to", to, p},
		"--settle must be more than 0":   {"--to", to, "--settle", "0s", dir},
		"is not an upload URL":           {"--to", "htp:/x", dir},
		"is not one":                     {"--to", to, "--after", "move", "--move-to", "../out", dir},
		"neither a URL nor a saved dest": {"--to", "nowhere", dir},
	}
	for want, args := range cases {
		r := ferry(t, append([]string{"watch", "--data-dir", wine.TempDir(t)}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("ferry watch %v: exit %d, stderr %q; want 2 and %q", args, r.code, r.stderr, want)
		}
	}
}

// --json prints an object a line; an uploaded file's has the path, state,
// URL, size and error of ferry upload's lines. A folder missing at start
// is named, and watched once it is there.
func TestWatchJSONAndAFolderThatComesLater(t *testing.T) {
	srv := tustest.New(t)
	dir := filepath.Join(wine.TempDir(t), "card")
	w := startWatch(t, "", nil, "--json", "--after", "delete", "--data-dir", wine.TempDir(t), "--settle", "300ms", "--to", srv.URL, dir)
	w.waitFor(t, `"event":"trouble"`, inJSON(dir+" is not there"))
	p, sha := tustest.RandomFile(t, filepath.Join(dir, "DCIM"), "C0001.MP4", 200<<10, 1)
	w.waitFor(t, `"event":"deleted"`)
	w.stop(t)
	var uploaded map[string]any
	for _, line := range strings.Split(w.output(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["event"] == "uploaded" {
			uploaded = m
		}
	}
	if uploaded == nil || uploaded["path"] != p || uploaded["state"] != "done" || !strings.HasPrefix(uploaded["url"].(string), srv.URL) ||
		uploaded["size"] != float64(200<<10) || uploaded["dir"] != dir {
		t.Fatalf("uploaded line %v in:\n%s", uploaded, w.output())
	}
	if _, err := os.Stat(p); err == nil {
		t.Fatal("not deleted")
	}
	if up, _ := srv.UploadByName("C0001.MP4"); up.SHA256 != sha || srv.Created() != 1 {
		t.Fatalf("arrived as %+v, %d created", up, srv.Created())
	}
}
