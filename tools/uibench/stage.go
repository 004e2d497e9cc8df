//go:build linux

package main

// The stage: a virtual display and every process started here, each in
// its own process group, ended at the end; and what /proc says of them.

import (
	"bufio"
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
)

// failure is why the bench could not measure; carried by panic to main,
// which cleans up and exits 1.
type failure struct{ msg string }

func fatalf(format string, args ...any) { panic(failure{fmt.Sprintf(format, args...)}) }

// proc is a long-running process started here.
type proc struct {
	name    string
	cmd     *exec.Cmd
	log     string
	started time.Time
	done    chan struct{}
	endedAt time.Time
	state   *os.ProcessState
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

type stage struct {
	tmp     string
	logs    string
	display string
	env     []string // PATH, DISPLAY, LANG, no D-Bus session
	mu      sync.Mutex
	procs   []*proc
	seq     int
}

func newStage(tmp string) *stage {
	s := &stage{tmp: tmp, logs: filepath.Join(tmp, "logs")}
	if err := os.MkdirAll(s.logs, 0o755); err != nil {
		fatalf("%v", err)
	}
	return s
}

// spawn starts a process with its output in a log file, in its own
// process group.
func (s *stage) spawn(name string, env []string, extra []*os.File, argv ...string) *proc {
	s.mu.Lock()
	s.seq++
	log := filepath.Join(s.logs, fmt.Sprintf("%02d-%s.log", s.seq, name))
	s.mu.Unlock()
	f, err := os.Create(log)
	if err != nil {
		fatalf("%v", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		fatalf("cannot start %s: %v", strings.Join(argv, " "), err)
	}
	go func() {
		cmd.Wait()
		p.state, p.endedAt = cmd.ProcessState, time.Now()
		f.Close()
		close(p.done)
	}()
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	return p
}

// run runs a short command; stdout, and an error with stderr if it failed.
func (s *stage) run(timeout time.Duration, env []string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s did not end within %s", filepath.Base(argv[0]), timeout)
	}
	if err != nil {
		return o.String(), fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(e.String()))
	}
	return o.String(), nil
}

// stop ends p: SIGTERM to it, SIGKILL to its group after grace. It
// reports whether p ended by itself within grace.
func (s *stage) stop(p *proc, grace time.Duration) bool {
	clean := true
	if !p.exited() {
		syscall.Kill(p.pid(), syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			clean = false
			syscall.Kill(-p.pid(), syscall.SIGKILL)
			<-p.done
		}
	}
	syscall.Kill(-p.pid(), syscall.SIGKILL) // anything it left in its group
	return clean
}

// cleanup ends every process started here, the display last.
func (s *stage) cleanup() {
	s.mu.Lock()
	procs := append([]*proc(nil), s.procs...)
	s.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		s.stop(procs[i], 3*time.Second)
	}
}

// startX starts Xvfb on a display it picks itself (-displayfd), with no
// TCP listener.
func (s *stage) startX() {
	r, w, err := os.Pipe()
	if err != nil {
		fatalf("%v", err)
	}
	p := s.spawn("Xvfb", []string{"PATH=" + os.Getenv("PATH")}, []*os.File{w},
		"Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	w.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			fatalf("Xvfb did not start: %s", p.tail())
		}
		s.display = ":" + n
	case <-time.After(15 * time.Second):
		fatalf("Xvfb did not say its display within 15 s: %s", p.tail())
	}
	r.Close()
	s.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"DISPLAY=" + s.display,
		"LANG=en_US.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=disabled:",
	}
}

// windowID finds Ferry's visible window ("" if none). Its title is
// "Ferry", or "Ferry — 3 uploading" and the like.
func (s *stage) windowID() string {
	out, err := s.run(5*time.Second, s.env, "xdotool", "search", "--onlyvisible", "--name", "^Ferry( |$)")
	if err != nil {
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
	out, err := s.run(5*time.Second, s.env, "xdotool", "getwindowgeometry", "--shell", wid)
	if err != nil {
		fatalf("%v", err)
	}
	var g geometry
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
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
		fatalf("no geometry for window %s: %q", wid, out)
	}
	return g
}

// clkTck is USER_HZ, the unit of utime and stime in /proc: 100 on every
// Linux architecture Go runs on.
const clkTck = 100

// cpuTime is the CPU a process used so far (user + system, all threads).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unreadable /proc stat times")
	}
	return time.Duration(ut+st) * time.Second / clkTck, nil
}

// rssKiB is VmRSS from /proc/PID/status.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS")
}

// cpuMeter measures the CPU of some processes over the same stretch.
type cpuMeter struct {
	pids  []int
	start []time.Duration
	at    time.Time
}

func startCPU(pids ...int) *cpuMeter {
	m := &cpuMeter{pids: pids, at: time.Now()}
	for _, pid := range pids {
		t, err := cpuTime(pid)
		if err != nil {
			fatalf("CPU of process %d: %v", pid, err)
		}
		m.start = append(m.start, t)
	}
	return m
}

// percent is each process's CPU since the start, as % of one core.
func (m *cpuMeter) percent() []float64 {
	wall := time.Since(m.at)
	out := make([]float64, len(m.pids))
	for i, pid := range m.pids {
		t, err := cpuTime(pid)
		if err != nil {
			fatalf("CPU of process %d: %v", pid, err)
		}
		out[i] = 100 * float64(t-m.start[i]) / float64(wall)
	}
	return out
}
