package crash

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// childEnv makes the test binary a Ferry run that arms its crash output
// in the data dir named, says "armed", and panics in a goroutine when
// its stdin ends.
const childEnv = "FERRY_CRASH_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		child(dir)
	}
	os.Exit(m.Run())
}

func child(dir string) {
	_, notes := Start(dir, Options{Version: "9.8.7", Command: "upload"})
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, n)
	}
	fmt.Println("armed")
	io.Copy(io.Discard, os.Stdin)
	go crashInGoroutine()
	select {}
}

func crashInGoroutine() {
	panic("upload of /videos/a.mp4 to http://user:PWX@host/files/?token=QTX&x=1 failed; sent Bearer SECRETX")
}

// crashed is a child run: armed, and crashing when told to.
type crashed struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startChild(t *testing.T, dir string) *crashed {
	t.Helper()
	if !supported {
		t.Skip("no file locks here: no crash reports")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard // the runtime's own copy of the crash
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "armed\n" {
		t.Fatalf("the child said %q (%v); want armed", line, err)
	}
	return &crashed{cmd: cmd, stdin: stdin}
}

// crash has the child panic, and waits for it to die of it.
func (c *crashed) crash(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("the child ended with %v; want a panic's exit status 2", err)
	}
}

func reports(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, SubDir, "crash-*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func raws(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, SubDir, "run-*.raw"))
	return m
}

func TestAPanicInAGoroutineLeavesAReportTheNextStartNames(t *testing.T) {
	for _, redactURL := range []func(string) string{nil, replaceUserinfo} {
		dir := wine.TempDir(t)
		c := startChild(t, dir)
		c.crash(t)

		run, notes := Start(dir, Options{Version: "1.0.0", Command: "window", RedactURL: redactURL})
		rs := reports(t, dir)
		if len(rs) != 1 {
			t.Fatalf("reports: %v; want one", rs)
		}
		report := rs[0]
		if len(notes) != 1 {
			t.Fatalf("notes: %q; want one sentence", notes)
		}
		want := fmt.Sprintf("; a report is in %s — attach it to a bug report if you file one.", report)
		if !strings.HasPrefix(notes[0], "Ferry stopped unexpectedly on ") || !strings.HasSuffix(notes[0], want) {
			t.Errorf("note: %q; want Ferry stopped unexpectedly on … %s", notes[0], want)
		}
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, w := range []string{
			"Ferry stopped unexpectedly on ", "Time:     " + time.Now().Format("2006-"),
			"Version:  Ferry 9.8.7", // the version that crashed, not the one that reports
			"Command:  upload", "System:   " + runtime.GOOS + "/" + runtime.GOARCH, "Go:       go",
			"panic: upload of /videos/a.mp4 to http://", "@host/files/?", "x=1", "Bearer REDACTED",
			"goroutine ", "crash.crashInGoroutine()", "crash_test.go:",
		} {
			if !strings.Contains(text, w) {
				t.Errorf("the report lacks %q:\n%s", w, text)
			}
		}
		for _, secret := range []string{"PWX", "QTX", "SECRETX"} {
			if strings.Contains(text, secret) {
				t.Errorf("the report has the secret %q:\n%s", secret, text)
			}
		}
		if fi, err := os.Stat(report); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
			t.Errorf("the report: %v, %v; want a file only its owner reads", fi.Mode(), err)
		}
		if got := raws(t, dir); len(got) != 1 || got[0] != run.Path() {
			t.Errorf("raw files: %q; want only this run's %s", got, run.Path())
		}
		run.Stop()
		if got := raws(t, dir); len(got) != 0 {
			t.Errorf("raw files after a clean stop: %q", got)
		}

		// The crash was said once: the next start says nothing.
		run, notes = Start(dir, Options{Version: "1.0.0", Command: "window"})
		run.Stop()
		if len(notes) != 0 || len(reports(t, dir)) != 1 {
			t.Errorf("a second start said %q with reports %v; want nothing new", notes, reports(t, dir))
		}
	}
}

func TestALiveRunIsNotReported(t *testing.T) {
	dir := wine.TempDir(t)
	c := startChild(t, dir)
	run, notes := Start(dir, Options{Command: "queue"})
	if len(notes) != 0 || len(reports(t, dir)) != 0 || len(raws(t, dir)) != 2 {
		t.Fatalf("beside a live run: notes %q, reports %v, raw files %v; want nothing reported, both runs' files", notes, reports(t, dir), raws(t, dir))
	}
	run.Stop()
	c.crash(t)
	if notes := Collect(dir, Options{}); len(notes) != 1 || len(reports(t, dir)) != 1 {
		t.Fatalf("after the crash: notes %q, reports %v", notes, reports(t, dir))
	}
}

// fakeRaw leaves the file a run that crashed at `at` would have left.
func fakeRaw(t *testing.T, dir string, at time.Time, output string) string {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, SubDir), 0o700)
	f, err := os.CreateTemp(filepath.Join(dir, SubDir), "run-*.raw")
	if err != nil {
		t.Fatal(err)
	}
	h := header{Version: "0.1.0", Command: "watch", System: "linux/amd64"}
	f.WriteString(h.String() + headerEnd + output)
	f.Close()
	if err := os.Chtimes(f.Name(), at, at); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func TestSentences(t *testing.T) {
	if !supported {
		t.Skip("no file locks here")
	}
	year := time.Now().Year()
	dir := wine.TempDir(t)
	fakeRaw(t, dir, time.Date(year, time.March, 7, 14, 2, 12, 0, time.Local), "panic: one\n")
	notes := Collect(dir, Options{})
	want := "Ferry stopped unexpectedly on 7 Mar at 14:02; a report is in " +
		filepath.Join(dir, SubDir, "crash-"+fmt.Sprint(year)+"0307-140212.txt") + " — attach it to a bug report if you file one."
	if len(notes) != 1 || notes[0] != want {
		t.Errorf("notes: %q\nwant:  %q", notes, want)
	}

	// Two runs that crashed in one second (a window and a watch): two
	// reports, one sentence naming the last.
	dir = wine.TempDir(t)
	fakeRaw(t, dir, time.Date(year-1, time.March, 7, 14, 2, 12, 0, time.Local), "panic: two\n")
	fakeRaw(t, dir, time.Date(year-1, time.March, 7, 14, 2, 12, 0, time.Local), "panic: three\n")
	fakeRaw(t, dir, time.Date(year-1, time.March, 7, 14, 3, 0, 0, time.Local), "") // a kill: no output
	notes = Collect(dir, Options{})
	stem := filepath.Join(dir, SubDir, "crash-"+fmt.Sprint(year-1)+"0307-140212")
	want = "Ferry stopped unexpectedly 2 times, the last on 7 Mar " + fmt.Sprint(year-1) + " at 14:02; its report is in "
	if len(notes) != 1 || !strings.HasPrefix(notes[0], want) || !strings.HasSuffix(notes[0], ", the others beside it — attach them to a bug report if you file one.") {
		t.Errorf("notes: %q; want one sentence beginning %q", notes, want)
	}
	if rs := reports(t, dir); len(rs) != 2 || rs[0] != stem+"-2.txt" || rs[1] != stem+".txt" {
		t.Errorf("reports: %q", rs)
	}
	if got := raws(t, dir); len(got) != 0 {
		t.Errorf("raw files left: %q", got)
	}
}

func TestAReportThatCannotBeWrittenIsSaidAndTriedAgain(t *testing.T) {
	if !supported {
		t.Skip("no file locks here")
	}
	dir := wine.TempDir(t)
	raw := fakeRaw(t, dir, time.Now(), "panic: x\n")
	openReport = func(string) (*os.File, error) {
		return nil, &os.PathError{Op: "open", Path: "somewhere", Err: errors.New("no space left on device")}
	}
	defer func() { openReport = createReport }()
	run, notes := Start(dir, Options{})
	run.Stop()
	want := ", and its report could not be written in " + filepath.Join(dir, SubDir) + " (no space left on device); Ferry tries again at the next start."
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "Ferry stopped unexpectedly on ") || !strings.HasSuffix(notes[0], want) {
		t.Errorf("notes: %q; want …%s", notes, want)
	}
	if _, err := os.Stat(raw); err != nil {
		t.Errorf("the crash output is gone with no report: %v", err)
	}
	openReport = createReport
	if notes := Collect(dir, Options{}); len(notes) != 1 || len(reports(t, dir)) != 1 {
		t.Errorf("the next start: notes %q, reports %q; want the report written", notes, reports(t, dir))
	}
}

func TestStartWithoutACrashFolderStillStarts(t *testing.T) {
	dir := wine.TempDir(t)
	if err := os.WriteFile(filepath.Join(dir, SubDir), nil, 0o600); err != nil { // a file in the way
		t.Fatal(err)
	}
	run, notes := Start(dir, Options{})
	defer run.Stop()
	if len(notes) != 0 || run.Path() != "" {
		t.Errorf("notes %q, path %q; want a run without crash output and nothing said", notes, run.Path())
	}
}

func TestOnlyTheNewestReportsAreKept(t *testing.T) {
	if !supported {
		t.Skip("no file locks here")
	}
	dir := wine.TempDir(t)
	base := time.Date(2020, time.January, 1, 10, 0, 0, 0, time.Local)
	for i := range Keep + 2 {
		fakeRaw(t, dir, base.Add(time.Duration(i)*time.Hour), "panic: x\n")
	}
	if notes := Collect(dir, Options{}); len(notes) != 1 || !strings.Contains(notes[0], fmt.Sprintf(" %d times,", Keep+2)) {
		t.Errorf("notes: %q", notes)
	}
	rs := reports(t, dir)
	if len(rs) != Keep || filepath.Base(rs[0]) != "crash-20200101-120000.txt" || filepath.Base(rs[Keep-1]) != "crash-20200101-210000.txt" {
		t.Errorf("reports: %q; want the newest %d", rs, Keep)
	}
}

func TestTooMuchOutputIsCut(t *testing.T) {
	if !supported {
		t.Skip("no file locks here")
	}
	dir := wine.TempDir(t)
	fakeRaw(t, dir, time.Now(), "panic: x\n\ngoroutine 1 [running]:\n"+strings.Repeat("main.f(0xc000012345)\n\t/home/ana/ferry/main.go:12 +0x1d\n", maxOutput/40))
	Collect(dir, Options{})
	rs := reports(t, dir)
	if len(rs) != 1 {
		t.Fatalf("reports: %q", rs)
	}
	b, _ := os.ReadFile(rs[0])
	if len(b) > maxOutput+128<<10 || !strings.Contains(string(b), "more bytes of crash output were not kept]") {
		t.Errorf("a report of %d bytes, ending %q", len(b), b[max(0, len(b)-100):])
	}
}
