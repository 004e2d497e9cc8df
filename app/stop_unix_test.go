//go:build unix

package app

import (
	"os/exec"
	"syscall"
	"testing"
)

// ownConsole: on Unix a child takes its signals without one.
func ownConsole(*exec.Cmd) {}

// interrupt is Ctrl-C.
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// stop asks ferry to stop as the system does (a service manager, the
// session ending: SIGTERM) and returns the exit code a clean stop gives.
func stop(t *testing.T, cmd *exec.Cmd) (code int) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return 0
}
