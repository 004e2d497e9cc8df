package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// ferryBin is the real binary, built once: the CLI is tested as users run it.
var ferryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferry-cli-test")
	if err != nil {
		panic(err)
	}
	ferryBin = filepath.Join(dir, "ferry")
	// A command given no --data-dir uses this one, never the user's own
	// (~/.config/ferry): tests leave nothing in the home folder.
	if os.Getenv("FERRY_DATA_DIR") == "" {
		os.Setenv("FERRY_DATA_DIR", filepath.Join(dir, "data"))
	}
	// FERRY_TEST_BINARY: a ferry built for these tests elsewhere (under
	// Wine no Go toolchain runs: scripts/test-windows builds ferry.exe).
	if prebuilt := os.Getenv("FERRY_TEST_BINARY"); prebuilt != "" {
		ferryBin = prebuilt
	} else {
		build := exec.Command("go", "build", "-o", ferryBin, "..")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building ferry:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func ferry(t *testing.T, args ...string) result {
	t.Helper()
	return ferryIn(t, "", args...)
}

func startFerry(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(ferryBin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	ownConsole(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &out
}

func waitBytes(t *testing.T, srv *tustest.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for srv.BytesReceived() < n {
		if time.Now().After(deadline) {
			t.Fatalf("server received %d bytes; waited for %d", srv.BytesReceived(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUploadGoodBesideBad(t *testing.T) {
	srv := tustest.New(t)
	dir := wine.TempDir(t)
	good, sha := tustest.RandomFile(t, dir, "good.mp4", 1<<20, 1)
	missing := filepath.Join(dir, "missing.mp4")
	empty := filepath.Join(dir, "empty-folder")
	os.Mkdir(empty, 0o755)
	args := []string{missing, good, empty}
	wants := []string{missing + " does not exist", empty + " is an empty folder"}
	if fifo := filepath.Join(dir, "pipe.mp4"); mkfifo(fifo) {
		args, wants = append(args, fifo), append(wants, fifo+" is not a regular file")
	}

	r := ferry(t, append([]string{"upload", "--data-dir", wine.TempDir(t), "--to", srv.URL}, args...)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range wants {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "done  "+good) {
		t.Errorf("stdout: %s", r.stdout)
	}
	up, ok := srv.UploadByName("good.mp4")
	if !ok || up.SHA256 != sha || srv.Created() != 1 {
		t.Fatalf("good file: %+v created=%d", up, srv.Created())
	}
}

func TestUploadUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	if runtime.GOOS == "windows" {
		t.Skip("chmod does not make a file unreadable on Windows (that takes an access list)")
	}
	srv := tustest.New(t)
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "secret.mp4", 100, 1)
	os.Chmod(p, 0)
	r := ferry(t, "upload", "--data-dir", wine.TempDir(t), "--to", srv.URL, p)
	if r.code != 1 || !strings.Contains(r.stderr, "Cannot read "+p+": permission denied") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 10, 1)
	cases := map[string][]string{
		"not an upload URL":      {"upload", "--to", "htp:/nowhere", p},
		"--to is required":       {"upload", p},
		"no files given":         {"upload", "--to", "http://127.0.0.1:1/files/"},
		"is not a size":          {"upload", "--to", "http://127.0.0.1:1/files/", "--chunk-size", "lots", p},
		"is not a header":        {"upload", "--to", "http://127.0.0.1:1/files/", "--header", "nocolon", p},
		"unknown command":        {"fly"},
		"no job in the queue is": {"resume", p},
		"needs the jobs":         {"pause"},
	}
	for want, args := range cases {
		r := ferry(t, append(args, "--data-dir", wine.TempDir(t))...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("ferry %v: exit %d, stderr %q; want 2 and %q", args, r.code, r.stderr, want)
		}
	}
}

func TestLockedDataDir(t *testing.T) {
	dir := wine.TempDir(t)
	e, err := engine.Open(engine.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := ferry(t, "queue", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "Ferry is already running (data dir "+dir+")") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestFolderUploadJSON(t *testing.T) {
	srv := tustest.New(t)
	dir := wine.TempDir(t)
	os.MkdirAll(filepath.Join(dir, "day1", "cam"), 0o755)
	want := map[string]string{}
	for i, name := range []string{"day1/a.mov", "day1/cam/b.mp4", "c.mkv", "day1/cam/zero.mp4"} {
		size := int64(100<<10 + i)
		if strings.Contains(name, "zero") {
			size = 0
		}
		p, sha := tustest.RandomFile(t, filepath.Dir(filepath.Join(dir, name)), filepath.Base(name), size, int64(i))
		want[p] = sha
	}
	r := ferry(t, "upload", "--json", "--concurrency", "2", "--chunk-size", "64KiB", "--meta", "project=demo",
		"--data-dir", wine.TempDir(t), "--to", srv.URL, dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d JSON lines for %d files:\n%s", len(lines), len(want), r.stdout)
	}
	for _, l := range lines {
		var got struct {
			Path, State, URL, Error string
			Size                    *int64
		}
		if err := json.Unmarshal([]byte(l), &got); err != nil || got.Size == nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if _, ok := want[got.Path]; !ok || got.State != "done" || !strings.HasPrefix(got.URL, srv.URL) {
			t.Fatalf("line %q", l)
		}
		up, _ := srv.UploadByName(filepath.Base(got.Path))
		if up.SHA256 != want[got.Path] || up.MetaData["project"] != "demo" {
			t.Fatalf("%s arrived as %+v", got.Path, up)
		}
	}
	if srv.Created() != len(want) {
		t.Fatalf("created %d", srv.Created())
	}
}

func TestKilledUploadResumesWithoutResending(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 4 << 20}))
	const size = 12 << 20
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "kill.mp4", size, 42)
	data := wine.TempDir(t)
	cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, p)
	waitBytes(t, srv, 4<<20)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if up, _ := srv.UploadByName("kill.mp4"); up.Done {
		t.Fatalf("killed too late to test anything:\n%s", out)
	}

	srv.SetFaults(tustest.Faults{})
	r := ferry(t, "upload", "--data-dir", data, "--to", srv.URL, p)
	if r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	up, _ := srv.UploadByName("kill.mp4")
	if up.SHA256 != sha || srv.Created() != 1 {
		t.Fatalf("after resume: sha ok=%v created=%d", up.SHA256 == sha, srv.Created())
	}
	if resent := srv.BytesReceived() - size; resent > 1<<20 {
		t.Fatalf("re-sent %d bytes", resent)
	}
}

func TestInterruptThenResume(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "int.mp4", 6<<20, 5)
	data := wine.TempDir(t)
	cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, p)
	waitBytes(t, srv, 1<<20)
	start := time.Now()
	interrupt(t, cmd)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("Ctrl-C: %v\n%s", err, out)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s to stop", d)
	}
	if !strings.Contains(out.String(), "ferry resume") {
		t.Errorf("no hint how to go on:\n%s", out)
	}
	q := ferry(t, "queue", "--json", "--data-dir", data)
	var line struct{ State, Path string }
	json.Unmarshal([]byte(q.stdout), &line)
	if line.State != "queued" || line.Path != p {
		t.Fatalf("queue after Ctrl-C: %s", q.stdout)
	}
	srv.SetFaults(tustest.Faults{})
	r := ferry(t, "resume", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("resume: exit %d %s", r.code, r.stderr)
	}
	up, _ := srv.UploadByName("int.mp4")
	if up.SHA256 != sha || srv.Created() != 1 {
		t.Fatalf("sha ok=%v created=%d", up.SHA256 == sha, srv.Created())
	}
	q = ferry(t, "queue", "--data-dir", data)
	if !strings.Contains(q.stdout, "done") || !strings.Contains(q.stdout, p) {
		t.Fatalf("queue: %s", q.stdout)
	}
}

func TestRefusedTokenFailsClearly(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("right"))
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 100, 1)
	data := wine.TempDir(t)
	r := ferry(t, "upload", "--data-dir", data, "--header", "Authorization: Bearer wrong", "--to", srv.URL, p)
	if r.code != 1 || !strings.Contains(r.stderr, p) || !strings.Contains(r.stderr, "refused the credentials (401)") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// Given the right token, resume retries the failed job.
	r = ferry(t, "resume", "--data-dir", data, "--header", "Authorization: Bearer right")
	if r.code != 0 || srv.Created() != 1 {
		t.Fatalf("resume with token: exit %d created %d: %s", r.code, srv.Created(), r.stderr)
	}
}

func TestServeReceivesFromUpload(t *testing.T) {
	recv := wine.TempDir(t)
	cmd := exec.Command(ferryBin, "serve", "--listen", "127.0.0.1:0", "--dir", recv)
	stdout, _ := cmd.StdoutPipe()
	ownConsole(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stop(t, cmd); cmd.Wait() }()
	var url string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Upload URL: "); ok {
			url = u
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if url == "" {
		t.Fatal("serve printed no upload URL")
	}
	d1, d2 := wine.TempDir(t), wine.TempDir(t)
	p1, sha1 := tustest.RandomFile(t, d1, "same.mp4", 2<<20, 1)
	p2, sha2 := tustest.RandomFile(t, d2, "same.mp4", 1<<20, 2)
	r := ferry(t, "upload", "--data-dir", wine.TempDir(t), "--to", url, p1, p2)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, name := range []string{"same.mp4", "same (1).mp4"} {
		got[tustest.FileSHA256(t, filepath.Join(recv, name))] = name
	}
	if got[sha1] == "" || got[sha2] == "" {
		t.Fatalf("received %v", got)
	}
}

func TestResumeHeadersStayWithTheirDestination(t *testing.T) {
	srvA := tustest.New(t, tustest.WithAuth("tokA"))
	srvB := tustest.New(t, tustest.WithAuth("tokB"))
	dir, data := wine.TempDir(t), wine.TempDir(t)
	a, shaA := tustest.RandomFile(t, dir, "a.mp4", 300<<10, 1)
	b, shaB := tustest.RandomFile(t, dir, "b.mp4", 200<<10, 2)
	// Both fail for want of a token: unfinished jobs for two destinations.
	ferry(t, "upload", "--data-dir", data, "--to", srvA.URL, a)
	ferry(t, "upload", "--data-dir", data, "--to", srvB.URL, b)

	r := ferry(t, "resume", "--data-dir", data, "--header", "Authorization: Bearer tokA")
	if r.code != 2 || !strings.Contains(r.stderr, "add --to URL") {
		t.Fatalf("ambiguous headers: exit %d %s", r.code, r.stderr)
	}
	seenByB := len(srvB.Requests())
	r = ferry(t, "resume", "--data-dir", data, "--to", srvA.URL, "--header", "Authorization: Bearer tokA")
	if r.code != 0 {
		t.Fatalf("resume A: exit %d %s", r.code, r.stderr)
	}
	if len(srvB.Requests()) != seenByB {
		t.Fatal("resuming A's jobs talked to B")
	}
	r = ferry(t, "resume", "--data-dir", data, "--header", "Authorization: Bearer tokB")
	if r.code != 0 {
		t.Fatalf("resume B: exit %d %s", r.code, r.stderr)
	}
	for _, c := range []struct {
		srv       *tustest.Server
		name, sha string
	}{{srvA, "a.mp4", shaA}, {srvB, "b.mp4", shaB}} {
		up, _ := c.srv.UploadByName(c.name)
		if up.SHA256 != c.sha || c.srv.Created() != 1 {
			t.Fatalf("%s: sha ok=%v created=%d", c.name, up.SHA256 == c.sha, c.srv.Created())
		}
	}
}
