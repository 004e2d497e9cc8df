//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// startDisplay starts Xvfb on a free display (it picks and names it) and
// openbox on it, so Wine's windows are framed as on a desktop.
func (r *run) startDisplay() {
	pr, pw, err := os.Pipe()
	if err != nil {
		r.fatalf("%v", err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{pw}
	x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := x.Start(); err != nil {
		r.fatalf("Xvfb: %v (apt-get install xvfb)", err)
	}
	pw.Close()
	r.h.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			r.fatalf("Xvfb did not start")
		}
		r.display = ":" + n
	case <-time.After(20 * time.Second):
		r.fatalf("Xvfb did not say its display within 20 s")
	}
	wm := exec.Command("openbox")
	wm.Env = append(os.Environ(), "DISPLAY="+r.display)
	if err := wm.Start(); err != nil {
		r.fatalf("openbox: %v (apt-get install openbox)", err)
	}
	r.h.Cleanup(func() { wm.Process.Kill(); wm.Wait() })
	ok("display %s with openbox", r.display)
}

// wine is a command run under Wine in the run's prefix and display.
func (r *run) wine(prog string, args ...string) *exec.Cmd {
	cmd := exec.Command("wine", append([]string{prog}, args...)...)
	cmd.Env = r.env
	return cmd
}

// must runs cmd and fails the run if it fails.
func (r *run) must(cmd *exec.Cmd) {
	if cmd.Env == nil {
		cmd.Env = r.env
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		r.fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// winPath is a Unix path as Wine's programs see it (Z:\...).
func (r *run) winPath(p string) string {
	out, err := r.wine("winepath", "-w", p).Output()
	if err != nil {
		r.fatalf("winepath %s: %v", p, err)
	}
	return strings.TrimSpace(string(out))
}

// startWindow starts ferry.exe, the window, and watches it end.
func (r *run) startWindow(exe string, args ...string) {
	r.winLog.Reset()
	r.window = r.wine(exe, args...)
	r.window.Stdout, r.window.Stderr = &r.winLog, &r.winLog
	if err := r.window.Start(); err != nil {
		r.fatalf("starting %s: %v", exe, err)
	}
	r.exited = make(chan error, 1)
	cmd := r.window
	go func() { r.exited <- cmd.Wait() }()
}

// stillRunning fails the run if the window ended by itself.
func (r *run) stillRunning() {
	select {
	case err := <-r.exited:
		r.fatalf("ferry.exe ended on its own (%v)", err)
	default:
	}
}

// screenshot saves the whole display (the window is the only one on it).
func (r *run) screenshot(out string) {
	time.Sleep(time.Second) // a frame drawn after the last progress event
	cmd := exec.Command("import", "-display", r.display, "-window", "root", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		r.fatalf("import: %v\n%s (apt-get install imagemagick)", err, b)
	}
}

// teardown ends Wine's processes in the prefix, then the display (the
// Hand's clean-ups).
func (r *run) teardown() {
	if r.prefix == "" {
		return
	}
	k := exec.Command("wineserver", "-k")
	k.Env = r.env
	k.Run()
	w := exec.Command("wineserver", "-w")
	w.Env = r.env
	done := make(chan struct{})
	go func() { w.Run(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Println("note: wineserver still running 10 s after wineserver -k")
	}
}
