//go:build unix

package app

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ferry-app/ferry/internal/crash"
	"github.com/ferry-app/ferry/internal/wine"
)

// The real binary, stopped the way Go programs die on their own: SIGQUIT
// has the runtime write every goroutine's stack and exit 2. The next
// command says where the report is, once.
func TestTheBinaryLeavesAReportWhenItDies(t *testing.T) {
	data := wine.TempDir(t)
	s := runServe(t, "--listen", "127.0.0.1:0", "--dir", wine.TempDir(t), "--data-dir", data)
	if err := s.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	<-s.done
	if code := s.cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("ferry serve ended with %d after SIGQUIT; want 2:\n%s", code, s.output())
	}

	r := ferry(t, "queue", "--data-dir", data)
	reports, _ := filepath.Glob(filepath.Join(data, crash.SubDir, "crash-*.txt"))
	if len(reports) != 1 {
		t.Fatalf("reports: %q", reports)
	}
	if r.code != 0 || !strings.HasPrefix(r.stderr, "Ferry stopped unexpectedly on ") || !strings.Contains(r.stderr, reports[0]) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("ferry queue: %d, stderr %q; want one sentence naming %s", r.code, r.stderr, reports[0])
	}
	b, _ := os.ReadFile(reports[0])
	for _, w := range []string{"Command:  serve", "Version:  Ferry " + version, "SIGQUIT: quit", "goroutine 1 "} {
		if !strings.Contains(string(b), w) {
			t.Errorf("the report lacks %q:\n%s", w, b)
		}
	}
	if r := ferry(t, "queue", "--data-dir", data); r.stderr != "" {
		t.Errorf("the next command says %q; want nothing", r.stderr)
	}
}
