//go:build linux

package main

// The stage: a virtual display, a private session bus with a tray
// watcher, and every process started here in its own process group, so
// that all of it, and whatever it started, is ended at the end.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// proc is a long-running process started here.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	endedAt time.Time
	state   *os.ProcessState
	err     error
	expect  bool // it is being ended on purpose
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the code it ended with (-1: by a signal).
func (p *proc) exitCode() int {
	if p.state == nil {
		return -1
	}
	return p.state.ExitCode()
}

func (p *proc) describeExit() string {
	if p.state == nil {
		return fmt.Sprint(p.err)
	}
	return p.state.String()
}

type stage struct {
	tmp      string
	logDir   string
	mu       sync.Mutex
	procs    []*proc
	seq      int
	display  string   // the first display, 1280x800
	displays []string // every Xvfb started here
	busAddr  string
	bus      *dbus.Conn
	notes    *notifications
	env      []string // for Ferry and the X tools
}

// spawn starts a long-running process with its output in a log file.
func (s *stage) spawn(name string, env []string, argv ...string) *proc {
	s.mu.Lock()
	s.seq++
	logPath := filepath.Join(s.logDir, fmt.Sprintf("%02d-%s.log", s.seq, name))
	s.mu.Unlock()
	f, err := os.Create(logPath)
	if err != nil {
		fatalf("cannot create %s: %v", logPath, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		fatalf("cannot start %s: %v", strings.Join(argv, " "), err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		p.state = cmd.ProcessState
		p.endedAt = time.Now()
		f.Close()
		close(p.done)
	}()
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	return p
}

// run runs a short command and returns its stdout and stderr; it is
// killed (with its group) after timeout.
func (s *stage) run(timeout time.Duration, env []string, argv ...string) (stdout, stderr string, code int, took time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	code = -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%s did not end within %s", filepath.Base(argv[0]), timeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = nil // the code says it
	}
	return o.String(), e.String(), code, took, err
}

// stop ends p: SIGTERM to its group, then SIGKILL after grace.
func (s *stage) stop(p *proc, grace time.Duration) {
	p.expect = true
	if p.exited() {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) // anything it left in its group
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// teardown ends everything started here, newest first, and says what was
// still alive afterwards (nothing, or a failure).
func (s *stage) teardown() error {
	if s.notes != nil {
		s.notes.close()
		s.notes = nil
	}
	if s.bus != nil {
		s.bus.Close()
		s.bus = nil
	}
	s.mu.Lock()
	procs := append([]*proc(nil), s.procs...)
	s.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		s.stop(procs[i], 5*time.Second)
	}
	// pgrep: nothing in any of our process groups, nothing naming our
	// temporary folder (Ferry's --data-dir, the bus socket).
	var left []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		left = left[:0]
		for _, p := range procs {
			if out, _ := exec.Command("pgrep", "-a", "-g", strconv.Itoa(p.cmd.Process.Pid)).Output(); len(bytes.TrimSpace(out)) > 0 {
				left = append(left, strings.TrimSpace(string(out)))
			}
		}
		if out, _ := exec.Command("pgrep", "-a", "-f", s.tmp).Output(); len(bytes.TrimSpace(out)) > 0 {
			left = append(left, strings.TrimSpace(string(out)))
		}
		for _, d := range s.displays {
			if out, _ := exec.Command("pgrep", "-a", "-f", "Xvfb "+d+" ").Output(); len(bytes.TrimSpace(out)) > 0 {
				left = append(left, strings.TrimSpace(string(out)))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(left) > 0 {
		return fmt.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
	return nil
}

// dumpLogs prints the output of every process started here whose name
// begins with prefix.
func (s *stage) dumpLogs(prefix string) {
	s.mu.Lock()
	procs := append([]*proc(nil), s.procs...)
	s.mu.Unlock()
	for _, p := range procs {
		if strings.HasPrefix(p.name, prefix) {
			fmt.Fprintf(os.Stderr, "--- %s (%s):\n%s\n", filepath.Base(p.logPath), exitWord(p), tail(p.logPath, 60))
		}
	}
}

// startX starts Xvfb, 1280x800, on the first free display of :90-:99:
// the display of every check and of the main screenshots.
func (s *stage) startX(base []string) {
	s.display = s.startDisplay(base, "1280x800")
}

// startDisplay starts one more Xvfb with a screen of size (WxH) on the
// first free display of :90-:99 and returns its name (":93").
func (s *stage) startDisplay(base []string, size string) string {
	for n := 90; n <= 99; n++ {
		d := ":" + strconv.Itoa(n)
		if exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) || exists(fmt.Sprintf("/tmp/.X%d-lock", n)) {
			continue
		}
		p := s.spawn("Xvfb", base, "Xvfb", d, "-screen", "0", size+"x24", "-nolisten", "tcp", "-noreset")
		env := setenv(base, "DISPLAY", d)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && !p.exited() {
			if exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) {
				if _, _, code, _, _ := s.run(10*time.Second, env, "xdotool", "getdisplaygeometry"); code == 0 {
					s.mu.Lock()
					s.displays = append(s.displays, d)
					s.mu.Unlock()
					return d
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !p.exited() {
			fatalf("Xvfb %s started but did not answer within 20 s; its log:\n%s", d, tail(p.logPath, 20))
		}
		// Lost a race for this display: try the next.
	}
	fatalf("no free X display in :90-:99 (or Xvfb does not start: is the xvfb package installed?)")
	return ""
}

// startWM runs openbox on display d, as a desktop has a window manager:
// it places a new window and shrinks one bigger than the screen to fit.
// It is ready when it says how many desktops there are (EWMH).
func (s *stage) startWM(d string) {
	env := setenv(s.env, "DISPLAY", d)
	p := s.spawn("openbox", env, "openbox")
	poll("openbox to manage "+d, 20*time.Second, func() (bool, string) {
		if p.exited() {
			fatalf("openbox ended at once (%s; is the openbox package installed?); its log:\n%s", p.describeExit(), tail(p.logPath, 20))
		}
		out, errOut, code, _, _ := s.run(10*time.Second, env, "xdotool", "get_num_desktops")
		return code == 0 && strings.TrimSpace(out) != "" && strings.TrimSpace(out) != "0", errOut
	})
}

// startBus starts a private session bus and a StatusNotifierWatcher on it.
func (s *stage) startBus(base []string) {
	sock := filepath.Join(s.tmp, "bus")
	s.busAddr = "unix:path=" + sock
	p := s.spawn("dbus-daemon", base, "dbus-daemon", "--session", "--nofork", "--nopidfile", "--address="+s.busAddr)
	poll("the session bus to answer", 20*time.Second, func() (bool, string) {
		if p.exited() {
			fatalf("dbus-daemon ended at once (%s); its log:\n%s", p.describeExit(), tail(p.logPath, 20))
		}
		if !exists(sock) {
			return false, "no socket yet"
		}
		conn, err := dbus.Connect(s.busAddr)
		if err != nil {
			return false, err.Error()
		}
		s.bus = conn
		return true, ""
	})
	w := s.spawn("status-notifier-watcher", setenv(base, "DBUS_SESSION_BUS_ADDRESS", s.busAddr), "status-notifier-watcher")
	poll("status-notifier-watcher to own "+watcherName, 20*time.Second, func() (bool, string) {
		if w.exited() {
			fatalf("status-notifier-watcher ended at once (%s); its log:\n%s", w.describeExit(), tail(w.logPath, 20))
		}
		var has bool
		err := s.bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has)
		if err != nil {
			return false, err.Error()
		}
		return has, "not owned yet"
	})
	s.notes = startNotifications(s.busAddr)
}

// windowID finds Ferry's visible window ("" if none yet). Its title is
// "Ferry", or "Ferry — 1 paused" and the like while jobs are unfinished.
func (s *stage) windowID() string {
	out, _, code, _, _ := s.run(10*time.Second, s.env, "xdotool", "search", "--onlyvisible", "--name", "^Ferry( |$)")
	if code != 0 {
		return ""
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

type geometry struct{ x, y, w, h int }

func (s *stage) geometry(wid string) geometry {
	out, errOut, code, _, err := s.run(10*time.Second, s.env, "xdotool", "getwindowgeometry", "--shell", wid)
	if err != nil || code != 0 {
		fatalf("xdotool getwindowgeometry %s: %v %s", wid, err, errOut)
	}
	var g geometry
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(line, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "X":
			g.x = n
		case "Y":
			g.y = n
		case "WIDTH":
			g.w = n
		case "HEIGHT":
			g.h = n
		}
	}
	if g.w == 0 || g.h == 0 {
		fatalf("xdotool getwindowgeometry %s gave no size: %q", wid, out)
	}
	return g
}

// poll calls f until it says done, every 200 ms, or fails after timeout
// with f's last word.
func poll(what string, timeout time.Duration, f func() (bool, string)) {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		done, why := f()
		if done {
			return
		}
		last = why
		if time.Now().After(deadline) {
			fatalf("timed out after %s waiting for %s (last seen: %s)", timeout, what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// setenv returns env with key set to value (once).
func setenv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// tail is a file's last n lines.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	if len(lines) == 1 && lines[0] == "" {
		return "(empty)"
	}
	return "    " + strings.Join(lines, "\n    ")
}
