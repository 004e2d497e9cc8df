//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// screenshot fills one window with jobs in every state and saves a PNG of
// the window: done (sent before, unthrottled), uploading (rate-limited),
// paused, waiting (a destination nobody listens on), failed (a receiver
// that wants a token the destination lacks), cancelled, queued.
func screenshot(s *stage, f *ferryApp, out string, review bool) {
	out, err := filepath.Abs(out)
	if err != nil {
		fatalf("%v", err)
	}
	src := filepath.Join(s.tmp, "src")
	sparse := func(name string, size int64) srcFile {
		p := filepath.Join(src, name)
		fh, err := os.Create(p)
		if err == nil {
			err = fh.Truncate(size)
			fh.Close()
		}
		if err != nil {
			fatalf("%v", err)
		}
		return srcFile{path: p, size: size}
	}
	// The list is in add order and shows about four rows: one done job
	// first, then the other states.
	doneFiles := []srcFile{sparse("Interview take 1.mov", 182*MiB)}
	crossing := sparse("Ferry crossing 4K.mov", 1400*MiB)
	drone := sparse("Drone pass over the bay.mp4", 640*MiB)
	sunset := sparse("Sunset timelapse.mov", 320*MiB)
	wedding := sparse("Wedding highlights – final.mp4", 850*MiB)
	client := sparse("Client cut v3.mov", 210*MiB)
	old := sparse("Old export.mov", 75*MiB)
	grade := sparse("Colour grade v2.mov", 2300*MiB)

	// Destinations, saved while no window holds the queue.
	f.must("dest", "add", "this-computer", "--kind", "builtin", "--data-dir", f.data)
	f.must("dest", "add", "office-nas", "--kind", "tus", "--url", "http://127.0.0.1:1/files/", "--data-dir", f.data)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatalf("%v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	token := filepath.Join(s.tmp, "partner-token")
	if err := os.WriteFile(token, []byte("a-token-the-destination-does-not-have\n"), 0o600); err != nil {
		fatalf("%v", err)
	}
	serve := s.spawn("ferry-serve", s.env, f.bin, "serve", "--listen", addr, "--token-file", token,
		"--dir", filepath.Join(s.tmp, "partner-received"), "--data-dir", filepath.Join(s.tmp, "serve-data"))
	poll("ferry serve to listen on "+addr, 30*time.Second, func() (bool, string) {
		if serve.exited() {
			fatalf("ferry serve ended (%s):\n%s", serve.describeExit(), tail(serve.logPath, 20))
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, err.Error()
		}
		c.Close()
		return true, ""
	})
	f.must("dest", "add", "partner-review", "--kind", "tus", "--url", "http://"+addr+"/files/", "--data-dir", f.data)
	f.must("dest", "default", "this-computer", "--data-dir", f.data)
	ok("destinations: this-computer (built-in), office-nas (nobody listens), partner-review (a ferry serve wanting a token)")

	// Done: sent at full speed in a first run.
	f.openWindow()
	hand := func(args ...string) {
		out, errOut, code, _ := f.ferry(60*time.Second, append([]string{"--data-dir", f.data}, args...)...)
		if code != 0 {
			fatalf("ferry %s exited %d: %s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	var paths []string
	for _, d := range doneFiles {
		paths = append(paths, d.path)
	}
	hand(paths...)
	f.waitDone(doneFiles, 3*time.Minute)
	if _, code := f.sigterm(30 * time.Second); code != 0 {
		fatalf("ferry exited %d after SIGTERM", code)
	}
	ok("done: %s sent unthrottled, in a first run", filepath.Base(doneFiles[0].path))

	// The rest, throttled so that they stay where they are.
	wid := f.openWindow("--limit-rate", "3MB")
	hand(crossing.path)
	hand(drone.path)
	j := f.waitJob(drone.path, "uploading", 60*time.Second, func(j job) bool { return j.State == "uploading" && j.Offset >= 8*MiB })
	f.must("pause", "--data-dir", f.data, j.ID)
	f.waitJob(drone.path, "paused", 30*time.Second, func(j job) bool { return j.State == "paused" })
	hand("--to", "partner-review", client.path)
	f.waitJob(client.path, "failed", 60*time.Second, func(j job) bool { return j.State == "failed" })
	hand(sunset.path)
	hand("--to", "office-nas", wedding.path)
	f.waitJob(wedding.path, "waiting", 60*time.Second, func(j job) bool { return j.State == "waiting" })
	// A waiting job lends its slot while it sleeps, so what comes next
	// starts; the waiting one then waits for a free slot.
	hand(old.path)
	j = f.waitJob(old.path, "in the queue", 60*time.Second, func(j job) bool { return true })
	f.must("cancel", "--data-dir", f.data, j.ID)
	f.waitJob(old.path, "cancelled", 30*time.Second, func(j job) bool { return j.State == "cancelled" })
	hand(grade.path)
	f.waitJob(crossing.path, "uploading with 24 MiB sent", 60*time.Second, func(j job) bool { return j.State == "uploading" && j.Offset >= 24*MiB })
	q := f.queue()
	var states []string
	for _, j := range q {
		states = append(states, fmt.Sprintf("%s: %s", filepath.Base(j.Path), j.State))
	}
	ok("jobs in every state: %s", strings.Join(states, ", "))

	// Let a few frames and the speed graph catch up, then take the picture.
	time.Sleep(2 * time.Second)
	capture(s, wid, out)
	ok("screenshot of the window: %s", out)

	if review {
		reviewShots(s, wid)
	}
	if _, code := f.sigterm(30 * time.Second); code != 0 {
		fatalf("ferry exited %d after SIGTERM", code)
	}
}

// reviewShots, for a review of every row: the window as big as the
// screen, and its list scrolled to the end, into the temporary folder.
func reviewShots(s *stage, wid string) {
	shots := filepath.Join(s.tmp, "shots")
	s.run(10*time.Second, s.env, "xdotool", "windowsize", wid, "1280", "800")
	time.Sleep(time.Second)
	capture(s, wid, filepath.Join(shots, "large.png"))
	g := s.geometry(wid)
	for _, p := range [][2]int{{g.w/2 - 10, g.h/2 - 10}, {g.w / 2, g.h / 2}} { // motion first: Fyne routes the wheel by the pointer
		s.run(10*time.Second, s.env, "xdotool", "mousemove", fmt.Sprint(g.x+p[0]), fmt.Sprint(g.y+p[1]))
		time.Sleep(200 * time.Millisecond)
	}
	s.run(30*time.Second, s.env, "xdotool", "click", "--repeat", "15", "--delay", "80", "5")
	time.Sleep(time.Second)
	capture(s, wid, filepath.Join(shots, "large-scrolled.png"))
	ok("review shots (the window at 1280x800, and scrolled to the end): %s", shots)
}

// capture saves the window's part of the screen as a PNG.
func capture(s *stage, wid, out string) {
	g := s.geometry(wid)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		fatalf("%v", err)
	}
	_, errOut, code, _, err := s.run(60*time.Second, s.env, "import", "-window", "root",
		"-crop", fmt.Sprintf("%dx%d+%d+%d", g.w, g.h, g.x, g.y), "+repage", out)
	if err != nil || code != 0 {
		fatalf("import -window root failed (exit %d, %v): %s", code, err, errOut)
	}
	if fileSize(out) < 10*KiB {
		fatalf("%s is only %d bytes: a blank capture?", out, fileSize(out))
	}
}
