//go:build linux

package main

// Ferry itself: the window, a second ferry handing files over, and
// `ferry queue --json`, which asks the running window over its socket.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// job is a line of `ferry queue --json` (app/cmd_queue.go, queueLine).
type job struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Offset int64  `json:"offset"`
	URL    string `json:"url"`
	Dest   string `json:"destination"`
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

func (j job) String() string {
	s := fmt.Sprintf("%s %s %d/%d", filepath.Base(j.Path), j.State, j.Offset, j.Size)
	if j.Error != "" {
		s += " error: " + j.Error
	}
	if j.Reason != "" {
		s += " reason: " + j.Reason
	}
	return s
}

type queue []job

func (q queue) byPath(path string) (job, bool) {
	for _, j := range q {
		if j.Path == path {
			return j, true
		}
	}
	return job{}, false
}

func (q queue) String() string {
	var parts []string
	for _, j := range q {
		parts = append(parts, j.String())
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// ferryApp is one data dir and the window over it.
type ferryApp struct {
	s      *stage
	bin    string
	data   string
	recv   string // where the built-in receiver puts files
	window *proc

	shown, answered time.Duration // how long the last window took to show, and to answer ferry queue
}

func (f *ferryApp) ferry(timeout time.Duration, args ...string) (stdout, stderr string, code int, took time.Duration) {
	stdout, stderr, code, took, err := f.s.run(timeout, f.s.env, append([]string{f.bin}, args...)...)
	if err != nil {
		fatalf("ferry %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
	}
	return stdout, stderr, code, took
}

// must runs a ferry command that must succeed.
func (f *ferryApp) must(args ...string) string {
	out, errOut, code, _ := f.ferry(60*time.Second, args...)
	if code != 0 {
		fatalf("ferry %s exited %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// openWindow starts `ferry --data-dir D args...` and waits until its
// window is visible and it answers `ferry queue`.
func (f *ferryApp) openWindow(args ...string) string {
	if f.window != nil && !f.window.exited() {
		fatalf("a window is already running")
	}
	argv := append([]string{f.bin, "--data-dir", f.data}, args...)
	f.window = f.s.spawn("ferry-window", f.s.env, argv...)
	var wid string
	start := time.Now()
	poll("Ferry's window to show (xdotool search --onlyvisible --name Ferry)", 60*time.Second, func() (bool, string) {
		f.alive()
		wid = f.s.windowID()
		return wid != "", "no window yet"
	})
	shown := time.Now()
	// The window shows after the control socket is served; one answer
	// proves it.
	poll("`ferry queue` to be answered by the window", 30*time.Second, func() (bool, string) {
		f.alive()
		_, errOut, code, _ := f.ferry(30*time.Second, "queue", "--data-dir", f.data, "--json")
		return code == 0, errOut
	})
	f.shown, f.answered = shown.Sub(start), time.Since(start)
	return wid
}

// alive fails at once when the window ended by itself.
func (f *ferryApp) alive() {
	if f.window != nil && f.window.exited() && !f.window.expect {
		fatalf("the window ended by itself (%s)", f.window.describeExit())
	}
}

// queue is `ferry queue --json`.
func (f *ferryApp) queue() queue {
	f.alive()
	out, errOut, code, _ := f.ferry(30*time.Second, "queue", "--data-dir", f.data, "--json")
	if code != 0 {
		fatalf("ferry queue --json exited %d: %s", code, errOut)
	}
	var q queue
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var j job
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			fatalf("ferry queue --json printed a line that is not a job: %q: %v", sc.Text(), err)
		}
		q = append(q, j)
	}
	sort.SliceStable(q, func(a, b int) bool { return q[a].Path < q[b].Path })
	return q
}

// waitJob polls the queue until the job of path satisfies ok; a job that
// fails (when failing is not wanted) ends the wait at once.
func (f *ferryApp) waitJob(path, what string, timeout time.Duration, ok func(job) bool) job {
	var got job
	poll(filepath.Base(path)+" to be "+what, timeout, func() (bool, string) {
		j, found := f.queue().byPath(path)
		if !found {
			return false, "not in the queue"
		}
		got = j
		if ok(j) {
			return true, ""
		}
		if j.State == "failed" && what != "failed" {
			fatalf("%s failed: %s", filepath.Base(path), j.Error)
		}
		return false, j.String()
	})
	return got
}

// waitDone polls until every file is done.
func (f *ferryApp) waitDone(files []srcFile, timeout time.Duration) queue {
	var q queue
	poll(fmt.Sprintf("%d upload(s) to be done", len(files)), timeout, func() (bool, string) {
		q = f.queue()
		var notDone []string
		for _, sf := range files {
			j, found := q.byPath(sf.path)
			switch {
			case !found:
				notDone = append(notDone, filepath.Base(sf.path)+" not queued")
			case j.State == "failed" || j.State == "cancelled":
				fatalf("%s is %s: %s", filepath.Base(sf.path), j.State, j.Error)
			case j.State != "done":
				notDone = append(notDone, j.String())
			}
		}
		return len(notDone) == 0, strings.Join(notDone, "; ")
	})
	return q
}

// checkArrived: each file is in the receive folder under its own name,
// byte for byte.
func (f *ferryApp) checkArrived(files []srcFile) {
	for _, sf := range files {
		got := filepath.Join(f.recv, filepath.Base(sf.path))
		sum, err := sha(got)
		if err != nil {
			fatalf("%s did not arrive in %s: %v (there: %v)", filepath.Base(sf.path), f.recv, err, received(f.recv))
		}
		if sum != sf.sum {
			fatalf("%s arrived with SHA-256 %s (size %d), sent %s (size %d)", got, sum, fileSize(got), sf.sum, sf.size)
		}
	}
}

// sigterm sends SIGTERM to the window's process (as a session manager or
// `kill` does) and measures how long it takes to exit; it waits at most
// wait, so a slow exit is measured, not only reported as too slow.
func (f *ferryApp) sigterm(wait time.Duration) (took time.Duration, code int) {
	p := f.window
	p.expect = true
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		fatalf("cannot signal ferry: %v", err)
	}
	select {
	case <-p.done:
		return p.endedAt.Sub(start), p.exitCode()
	case <-time.After(wait):
		fatalf("ferry did not exit within %s of SIGTERM", wait)
	}
	return 0, 0
}

func exitWord(p *proc) string {
	if !p.exited() {
		return "still running"
	}
	return p.describeExit()
}
