package app

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// queueJSON lists the queue as ferry queue --json prints it.
func queueJSON(t *testing.T, data string) []queueLine {
	t.Helper()
	r := ferry(t, "queue", "--json", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("ferry queue: exit %d: %s", r.code, r.stderr)
	}
	var out []queueLine
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if l == "" {
			continue
		}
		var q queueLine
		if err := json.Unmarshal([]byte(l), &q); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, q)
	}
	return out
}

func TestCommandsReachTheRunningFerry(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 512 << 10}))
	dir, data := wine.TempDir(t), wine.TempDir(t)
	a, _ := tustest.RandomFile(t, dir, "a.mp4", 8<<20, 1)
	b, _ := tustest.RandomFile(t, dir, "b.mp4", 8<<20, 2)
	cmd, out := startFerry(t, "upload", "--concurrency", "1", "--data-dir", data, "--to", srv.URL, a, b)
	waitBytes(t, srv, 64<<10)

	// A look while it runs: asked of the running Ferry, not refused.
	var jobs []queueLine
	deadline := time.Now().Add(10 * time.Second)
	for len(jobs) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("queue while running: %v\n%s", jobs, out)
		}
		r := ferry(t, "queue", "--json", "--data-dir", data)
		if r.code == 0 {
			jobs = queueJSON(t, data)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := ferry(t, "remove", "--data-dir", data, b); r.code != 0 || !strings.Contains(r.stdout, b) {
		t.Fatalf("remove by path: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := ferry(t, "pause", "--data-dir", data, jobs[0].ID); r.code != 0 {
		t.Fatalf("pause by id: exit %d %s", r.code, r.stderr)
	}
	cmd.Wait()
	after := queueJSON(t, data)
	if len(after) != 1 || after[0].Path != a || after[0].State != "paused" {
		t.Fatalf("queue after pause and remove: %+v\n%s", after, out)
	}
	// With no Ferry running, the commands change the queue themselves: a
	// job that will never finish can go without deleting ferry.db.
	if r := ferry(t, "remove", "--data-dir", data, a); r.code != 0 {
		t.Fatalf("remove: exit %d %s", r.code, r.stderr)
	}
	if left := queueJSON(t, data); len(left) != 0 {
		t.Fatalf("queue: %+v", left)
	}
	if r := ferry(t, "remove", "--data-dir", data, "nosuchjob"); r.code != 2 || !strings.Contains(r.stderr, "no job in the queue is nosuchjob") {
		t.Fatalf("unknown job: exit %d %s", r.code, r.stderr)
	}
}

func TestNotesAndSecretsInTheQueue(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{NotFoundHEAD: 1, CutEvery: 600 << 10, CutSeed: 3}))
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "n.mp4", 2<<20, 9)
	data := wine.TempDir(t)
	to := strings.Replace(srv.URL, "http://", "http://alice:S3CRET@", 1)
	r := ferry(t, "upload", "--json", "--data-dir", data, "--to", to, p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if up, _ := srv.UploadByName("n.mp4"); up.SHA256 != sha {
		t.Fatal("file did not arrive whole")
	}
	q := ferry(t, "queue", "--data-dir", data)
	qj := ferry(t, "queue", "--json", "--data-dir", data)
	for _, s := range []string{r.stdout, q.stdout, qj.stdout} {
		if strings.Contains(s, "S3CRET") {
			t.Fatalf("the password is shown: %s", s)
		}
	}
	db, _ := os.ReadFile(filepath.Join(data, "ferry.db"))
	if strings.Contains(string(db), "S3CRET") {
		t.Fatal("the password is in ferry.db")
	}
	if !strings.Contains(q.stdout, "no longer had the upload") || !strings.Contains(qj.stdout, "no longer had the upload") {
		t.Fatalf("notes not shown:\n%s\n%s", q.stdout, qj.stdout)
	}
}

func TestOddNamesAndLinks(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	dir, data := wine.TempDir(t), wine.TempDir(t)
	// A name that is not UTF-8, killed mid-upload, resumes.
	odd, sha := tustest.RandomFile(t, dir, "\xff\xfe.mp4", 6<<20, 4)
	cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, odd)
	waitBytes(t, srv, 1<<20)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	srv.SetFaults(tustest.Faults{})
	if r := ferry(t, "upload", "--data-dir", data, "--to", srv.URL, odd); r.code != 0 {
		t.Fatalf("resume of %q: exit %d %s\n%s", odd, r.code, r.stderr, out)
	}
	// (tusd keeps metadata as JSON, so the name it shows is not the bytes.)
	if ups := srv.Uploads(); len(ups) != 1 || ups[0].SHA256 != sha || !ups[0].Done || srv.Created() != 1 {
		t.Fatalf("odd name: created=%d uploads=%+v", srv.Created(), ups)
	}

	// Links, as a file manager follows them: a linked file and a linked
	// folder inside a folder, and a link to a folder given without a slash.
	real := wine.TempDir(t)
	inner, innerSHA := tustest.RandomFile(t, real, "inner.mov", 10<<10, 5)
	tree := wine.TempDir(t)
	os.Symlink(inner, filepath.Join(tree, "linked.mov"))
	os.Symlink(real, filepath.Join(tree, "linkeddir"))
	os.Symlink(tree, filepath.Join(tree, "loop"))
	top := filepath.Join(wine.TempDir(t), "toplink")
	if err := os.Symlink(tree, top); err != nil {
		t.Skipf("cannot make links here (Windows without developer mode): %v", err)
	}
	if _, err := os.Lstat(top); err != nil {
		wine.Skip(t, "it says a symbolic link was made, and none is there")
	}
	r := ferry(t, "upload", "--json", "--data-dir", wine.TempDir(t), "--to", srv.URL, top)
	if !strings.Contains(r.stderr, "loop") {
		t.Errorf("the loop is not named: %s", r.stderr)
	}
	done := 0
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var got struct{ Path, State string }
		json.Unmarshal([]byte(l), &got)
		if got.State == "done" {
			done++
		}
	}
	if done != 2 {
		t.Fatalf("%d files done, want 2 (linked file, file in linked folder):\n%s\n%s", done, r.stdout, r.stderr)
	}
	for _, up := range srv.Uploads()[1:] {
		if up.SHA256 != innerSHA {
			t.Fatalf("%s arrived as other bytes", up.MetaData["filename"])
		}
	}
}

func TestSignalWhileQueueingAFolder(t *testing.T) {
	srv := tustest.New(t)
	dir := wine.TempDir(t)
	for i := range 3000 {
		os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), []byte("x"), 0o644)
	}
	for _, after := range []time.Duration{0, 400 * time.Millisecond} {
		data := wine.TempDir(t)
		cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, dir)
		// Once its queue is open, ferry catches signals (it does from
		// its first line; the process's start before that is Go's).
		deadline := time.Now().Add(20 * time.Second)
		for _, err := os.Stat(filepath.Join(data, store.FileName)); err != nil && time.Now().Before(deadline); _, err = os.Stat(filepath.Join(data, store.FileName)) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(after)
		interrupt(t, cmd)
		err := cmd.Wait()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 130 || !strings.Contains(out.String(), "ferry: stopped;") {
			t.Fatalf("Ctrl-C after %s: %v\n%s", after, err, out)
		}
	}
}

func TestNeverResolvingHostFails(t *testing.T) {
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "x.mp4", 1<<10, 1)
	data := wine.TempDir(t)
	start := time.Now()
	r := ferry(t, "upload", "--data-dir", data, "--to", "http://nonexistent.invalid/files/", p)
	if r.code != 1 || !strings.Contains(r.stderr, "nonexistent.invalid") || time.Since(start) > 20*time.Second {
		t.Fatalf("exit %d after %s: %s", r.code, time.Since(start), r.stderr)
	}
	if r := ferry(t, "resume", "--data-dir", data); r.code != 1 {
		t.Fatalf("resume: exit %d %s", r.code, r.stderr)
	}
}

// Killed at any moment while a folder of small files goes up, and run
// again: every file arrives once, and no upload is made twice.
func TestKilledFolderOfSmallFilesMakesNoDuplicates(t *testing.T) {
	srv := tustest.New(t)
	dir, data := wine.TempDir(t), wine.TempDir(t)
	shas := map[string]string{}
	for i := range 600 {
		name := "s" + strconv.Itoa(i) + ".bin"
		_, shas[name] = tustest.RandomFile(t, dir, name, 2<<10, int64(i))
	}
	for _, after := range []time.Duration{30 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond} {
		cmd, _ := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, dir)
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	if r := ferry(t, "upload", "--data-dir", data, "--to", srv.URL, dir); r.code != 0 {
		t.Fatalf("last run: exit %d %s", r.code, r.stderr)
	}
	done := map[string]int{}
	for _, up := range srv.Uploads() {
		if up.Done {
			if up.SHA256 != shas[up.MetaData["filename"]] {
				t.Fatalf("%s arrived as other bytes", up.MetaData["filename"])
			}
			done[up.MetaData["filename"]]++
		}
	}
	for name := range shas {
		if done[name] != 1 {
			t.Errorf("%s arrived %d times", name, done[name])
		}
	}
	// An upload created in the instant before a kill, and not yet
	// recorded, is left empty on the server: at most one per slot and kill
	// (small files run in their own lane of engine.SmallSlots).
	if extra := srv.Created() - len(shas); extra > 3*engine.SmallSlots {
		t.Fatalf("%d uploads created for %d files", srv.Created(), len(shas))
	}
}
