package app

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/crash"
	"github.com/ferry-app/ferry/internal/wine"
)

// crashChildEnv makes the test binary a `ferry upload` that panics once
// its crash output is armed in the data dir named: in a goroutine of its
// own, or in the command's (crashWhereEnv=main), through the deferred
// calls of Run's callers. It acts in init, before TestMain builds ferry.
const (
	crashChildEnv = "FERRY_APP_CRASH_CHILD"
	crashWhereEnv = "FERRY_APP_CRASH_WHERE"
)

func init() {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		return
	}
	args := []string{"upload", "--to", "http://user:PWX@host/files/?token=QTX", "--data-dir=" + dir, "a.mp4"}
	withCrashReports(args, func([]string) int {
		defer func() {}() // a command's cleanup, run as the panic unwinds
		if os.Getenv(crashWhereEnv) == "main" {
			panicWithSecrets()
		}
		go panicWithSecrets()
		select {}
	})
}

func panicWithSecrets() {
	panic("PATCH http://user:PWX@host/files/?token=QTX&x=1 with Bearer SECRETX: the engine lost its way")
}

func TestAPanicLeavesAReportAndTheNextStartSaysWhere(t *testing.T) {
	for _, where := range []string{"goroutine", "main"} {
		t.Run(where, func(t *testing.T) { testAPanicLeavesAReport(t, where) })
	}
}

func testAPanicLeavesAReport(t *testing.T, where string) {
	dir := wine.TempDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashWhereEnv+"="+where)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "panic: PATCH") {
		t.Fatalf("the crashing run ended with %v, saying %q; want a panic", err, stderr.String())
	}

	notes, stop := crashReports([]string{"queue", "--data-dir", dir})
	stop()
	reports, _ := filepath.Glob(filepath.Join(dir, crash.SubDir, "crash-*.txt"))
	if len(reports) != 1 || len(notes) != 1 {
		t.Fatalf("reports %q, notes %q; want one of each", reports, notes)
	}
	if !strings.HasPrefix(notes[0], "Ferry stopped unexpectedly on ") || !strings.Contains(notes[0], "; a report is in "+reports[0]+" — ") {
		t.Errorf("the note: %q; want it to name %s", notes[0], reports[0])
	}
	b, _ := os.ReadFile(reports[0])
	report := string(b)
	for _, w := range []string{"Time:", "Version:  Ferry " + version, "Command:  upload", runtime.GOOS + "/" + runtime.GOARCH,
		"goroutine ", "app.panicWithSecrets(", "x=1", "the engine lost its way"} {
		if !strings.Contains(report, w) {
			t.Errorf("the report lacks %q:\n%s", w, report)
		}
	}
	for _, secret := range []string{"PWX", "QTX", "SECRETX"} {
		if strings.Contains(report, secret) {
			t.Errorf("the report has the secret %q:\n%s", secret, report)
		}
	}

	notes, stop = crashReports([]string{"queue", "--data-dir", dir})
	stop()
	if len(notes) != 0 {
		t.Errorf("a second start says %q; want nothing", notes)
	}
}

func TestHelpAndMistakesLeaveTheDataDirAlone(t *testing.T) {
	dir := wine.TempDir(t)
	for _, args := range [][]string{{"help", "--data-dir", dir}, {"--help"}, {"uplaod", "--data-dir", dir}} {
		crashReports(args)
	}
	if _, err := os.Stat(filepath.Join(dir, crash.SubDir)); !os.IsNotExist(err) {
		t.Errorf("help made %s (%v)", crash.SubDir, err)
	}
}

func TestCommandOf(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "window"}, {[]string{"--to", "x"}, "window"}, {[]string{"."}, "window"},
		{[]string{"upload", "a"}, "upload"}, {[]string{"serve"}, "serve"}, {[]string{"queue"}, "queue"},
		{[]string{"help"}, ""}, {[]string{"-h"}, ""}, {[]string{"uplaod"}, ""},
	} {
		if got := commandOf(c.args); got != c.want {
			t.Errorf("commandOf(%q) = %q; want %q", c.args, got, c.want)
		}
	}
}

func TestDataDirArg(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"upload", "--data-dir", "/d", "a"}, "/d"},
		{[]string{"upload", "a", "-data-dir=/e"}, "/e"},
		{[]string{"upload", "--data-dir=/a", "--data-dir", "/b"}, "/b"},
		{[]string{"upload", "--", "--data-dir", "/f"}, ""},
		{[]string{"upload", "--data-dir"}, ""},
		{[]string{"queue"}, ""},
	} {
		if got := dataDirArg(c.args); got != c.want {
			t.Errorf("dataDirArg(%q) = %q; want %q", c.args, got, c.want)
		}
	}
}

// The version a crash report names is FyneApp.toml's, which `fyne
// package` builds into releases.
func TestVersionIsFyneApps(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]*)"`).FindSubmatch(b)
	if m == nil || string(m[1]) != version {
		t.Errorf("FyneApp.toml's version is %q, app.version %q: raise both", m, version)
	}
}
