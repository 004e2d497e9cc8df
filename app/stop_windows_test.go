package app

import (
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// On Windows, Ctrl-C is an event a console sends to every process attached
// to it; Go delivers it as os.Interrupt. Each ferry a test stops runs in a
// console of its own (hidden), and interrupt attaches to that console for
// the moment of sending. CTRL_BREAK_EVENT to a process group would need no
// attaching, but Wine 8 delivers that to no one ("Invalid handle").

// ownConsole gives cmd a hidden console of its own. The console's host
// (conhost) inherits the output pipes: one that outlives ferry, as Wine's
// does when ferry is killed as it starts, would keep Wait waiting for the
// pipes' end forever, so Wait gives up on them a while after ferry ends.
func ownConsole(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_CONSOLE
	cmd.SysProcAttr.HideWindow = true
	cmd.WaitDelay = 5 * time.Second
}

var (
	consoleMu sync.Mutex // one console attached at a time
	catchCtrl sync.Once
)

var (
	kernel32      = windows.NewLazySystemDLL("kernel32.dll")
	attachConsole = kernel32.NewProc("AttachConsole")
	freeConsole   = kernel32.NewProc("FreeConsole")
)

// interrupt is Ctrl-C in cmd's console (see ownConsole).
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	consoleMu.Lock()
	defer consoleMu.Unlock()
	// Attached, the test binary gets the event too: Go hands it to a
	// channel nobody reads rather than ending the process.
	catchCtrl.Do(func() { signal.Notify(make(chan os.Signal, 1), os.Interrupt) })
	freeConsole.Call()
	if r, _, err := attachConsole.Call(uintptr(cmd.Process.Pid)); r == 0 {
		t.Fatalf("attaching to ferry's console (was it started with ownConsole?): %v", err)
	}
	err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0)
	freeConsole.Call()
	if err != nil {
		t.Fatalf("sending Ctrl-C: %v", err)
	}
}

// stop is interrupt: a test cannot end a session, and closing a console
// (CTRL_CLOSE_EVENT, which Go delivers as SIGTERM, the path the Unix tests
// take) ends its processes under Wine without the event. Ctrl-C's exit
// code is returned.
func stop(t *testing.T, cmd *exec.Cmd) (code int) {
	t.Helper()
	interrupt(t, cmd)
	return exitInterrupted
}
