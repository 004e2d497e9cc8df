//go:build linux

package main

import (
	"fmt"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferry-app/ferry/ui"
)

// The set of pictures docs/ holds, made from one queue with jobs in every
// state. mainTheme is the variant of the main picture (README's) and of
// every other picture but its twin in the other variant.
const (
	mainTheme = "dark"
	// shotRate and shotSlots hold the uploads where they are: slow enough
	// that nothing finishes, two slots so that one job waits for a slot.
	shotRate  = "3MB"
	shotSlots = "2"
)

// The service notes this bare virtual desktop calls for (no keychain, no
// power manager, no tray; ui/notices.go's keys), which a usual desktop
// does not: dismissed in the window's settings, as a person would, so
// that they take no room from the rows.
var shotDismissed = []string{"keychain", "awake", "tray"}

// errorRGB is the theme's error colour (ui/theme.go), to see that the
// destination form shows its errors.
var errorRGB = map[string][3]uint8{"dark": {0xff, 0x7a, 0x70}, "light": {0xb3, 0x26, 0x1e}}

// screenshot fills a window with jobs in every state and saves pictures
// of it next to out (docs/screenshot.png): out itself (mainTheme), and
// out-light, out-dark, out-compact (one line a job), out-800x600 and
// out-1366x768-scale2 (the whole screen, with a window manager that fits
// the window to it; the second at FYNE_SCALE=2), out-destination-errors
// (the Destinations dialog's add form after Save with bad input). Newest
// first, the rows read: queued, uploading, done, waiting (a destination
// nobody listens on), paused, failed (a receiver that wants a token the
// destination lacks), uploading, cancelled.
func screenshot(s *stage, f *ferryApp, out string, review bool) {
	out, err := filepath.Abs(out)
	if err != nil {
		fatalf("%v", err)
	}
	stem := strings.TrimSuffix(out, filepath.Ext(out))
	name := func(variant string) string { return stem + "-" + variant + ".png" }
	otherTheme := "light"
	if mainTheme == "light" {
		otherTheme = "dark"
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
	// In add order; the list shows the newest first.
	old := sparse("Old export.mov", 75*MiB)
	crossing := sparse("Ferry crossing 4K.mov", 1400*MiB)
	client := sparse("Client cut v3.mov", 210*MiB)
	drone := sparse("Drone pass over the bay.mp4", 160*MiB)
	wedding := sparse("Wedding highlights – final.mp4", 850*MiB)
	teaser := sparse("Teaser 15s.mp4", 4800*KiB)
	sunset := sparse("Sunset timelapse.mov", 320*MiB)
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
	setPrefs(f.data, func(p *ui.Prefs) {
		for _, k := range shotDismissed {
			if !slices.Contains(p.Dismissed, k) {
				p.Dismissed = append(p.Dismissed, k)
			}
		}
	})
	ok("the window's notes on this virtual desktop's missing services (%s) dismissed in its settings", strings.Join(shotDismissed, ", "))

	// Every window runs on the same queue, with the environment of its
	// picture: display, theme, scale.
	base := s.env
	use := func(display, theme, scale string) {
		env := setenv(base, "DISPLAY", display)
		env = setenv(env, "FYNE_THEME", theme)
		if scale != "" {
			env = setenv(env, "FYNE_SCALE", scale)
		}
		s.env = env
	}
	defer func() { s.env = base }()
	flags := []string{"--limit-rate", shotRate, "--concurrency", shotSlots}
	want := map[string]string{
		old.path: "cancelled", crossing.path: "uploading", client.path: "failed", drone.path: "paused",
		wedding.path: "waiting", teaser.path: "done", sunset.path: "uploading", grade.path: "queued",
	}
	stop := func() {
		if _, code := f.sigterm(30 * time.Second); code != 0 {
			fatalf("ferry exited %d after SIGTERM", code)
		}
	}

	// The main picture: the jobs put in their states one by one.
	use(s.display, mainTheme, "")
	wid := f.openWindow(flags...)
	hand := func(args ...string) {
		out, errOut, code, _ := f.ferry(60*time.Second, append([]string{"--data-dir", f.data}, args...)...)
		if code != 0 {
			fatalf("ferry %s exited %d: %s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	hand(old.path)
	j := f.waitJob(old.path, "in the queue", 60*time.Second, func(j job) bool { return true })
	f.must("cancel", "--data-dir", f.data, j.ID)
	f.waitJob(old.path, "cancelled", 30*time.Second, func(j job) bool { return j.State == "cancelled" })
	hand(crossing.path)
	f.waitJob(crossing.path, "uploading", 60*time.Second, func(j job) bool { return j.State == "uploading" })
	hand("--to", "partner-review", client.path)
	f.waitJob(client.path, "failed", 60*time.Second, func(j job) bool { return j.State == "failed" })
	hand(drone.path)
	j = f.waitJob(drone.path, "uploading", 60*time.Second, func(j job) bool { return j.State == "uploading" && j.Offset >= 6*MiB })
	f.must("pause", "--data-dir", f.data, j.ID)
	f.waitJob(drone.path, "paused", 30*time.Second, func(j job) bool { return j.State == "paused" })
	// A waiting job lends its slot while it sleeps, so what comes next
	// starts; the waiting one then waits for a free slot.
	hand("--to", "office-nas", wedding.path)
	f.waitJob(wedding.path, "waiting", 60*time.Second, func(j job) bool { return j.State == "waiting" })
	hand(teaser.path)
	f.waitJob(teaser.path, "done", 60*time.Second, func(j job) bool { return j.State == "done" })
	hand(sunset.path)
	f.waitJob(sunset.path, "uploading", 60*time.Second, func(j job) bool { return j.State == "uploading" })
	hand(grade.path)
	last := time.Now()
	f.waitStates(want, 60*time.Second)
	// The status line ("Queued 1 file.") goes after 15 s (ui's
	// statusLife); the speed graph meanwhile gets some history.
	time.Sleep(time.Until(last.Add(16 * time.Second)))
	q := f.waitStates(want, 30*time.Second)
	ok("jobs in every state: %s", q.states())
	s.parkPointer(wid)
	capture(s, wid, name(mainTheme))
	ok("the window, %s: %s", mainTheme, name(mainTheme))
	if review {
		reviewShots(s, wid)
	}
	destinationErrors(s, wid, name("destination-errors"), mainTheme)
	stop()

	// The same queue in a window started anew: the jobs take their
	// states again, and the speed graph some history.
	reopen := func() string {
		wid := f.openWindow(flags...)
		f.waitStates(want, 60*time.Second)
		time.Sleep(5 * time.Second)
		f.waitStates(want, 30*time.Second)
		s.parkPointer(wid)
		return wid
	}
	use(s.display, otherTheme, "")
	capture(s, reopen(), name(otherTheme))
	ok("the window, %s: %s", otherTheme, name(otherTheme))
	stop()

	setPrefs(f.data, func(p *ui.Prefs) { p.CompactRows = true })
	use(s.display, mainTheme, "")
	capture(s, reopen(), name("compact"))
	ok("the window with compact rows (one line a job): %s", name("compact"))
	stop()
	setPrefs(f.data, func(p *ui.Prefs) { p.CompactRows = false })

	// Small screens: the window manager fits the window to the screen.
	for _, sc := range []struct{ size, scale, name string }{
		{"800x600", "", "800x600"},
		{"1366x768", "2", "1366x768-scale2"},
	} {
		d := s.startDisplay(base, sc.size)
		s.startWM(d)
		use(d, mainTheme, sc.scale)
		reopen()
		captureScreen(s, name(sc.name))
		scale := ""
		if sc.scale != "" {
			scale = " at FYNE_SCALE=" + sc.scale
		}
		ok("the whole %s screen%s (Xvfb %s, openbox): %s", sc.size, scale, d, name(sc.name))
		stop()
	}

	b, err := os.ReadFile(name(mainTheme))
	if err == nil {
		err = os.WriteFile(out, b, 0o644)
	}
	if err != nil {
		fatalf("%v", err)
	}
	ok("the main picture (%s): %s", mainTheme, out)
}

// waitStates polls the queue until every job of want (by path) is in its
// state.
func (f *ferryApp) waitStates(want map[string]string, timeout time.Duration) queue {
	var q queue
	poll("every job in its state", timeout, func() (bool, string) {
		q = f.queue()
		var off []string
		for path, state := range want {
			j, found := q.byPath(path)
			switch {
			case !found:
				off = append(off, filepath.Base(path)+" not queued")
			case j.State != state:
				off = append(off, fmt.Sprintf("%s %s, not %s", filepath.Base(path), j.State, state))
			}
		}
		sort.Strings(off)
		return len(off) == 0, strings.Join(off, "; ")
	})
	return q
}

func (q queue) states() string {
	var out []string
	for _, j := range q {
		out = append(out, fmt.Sprintf("%s: %s", filepath.Base(j.Path), j.State))
	}
	return strings.Join(out, ", ")
}

// destinationErrors opens the Destinations dialog's add form in the real
// window, types a taken name and a URL with no scheme, saves with Enter
// and takes the picture; it checks that error text appeared. Keys where
// keys reach: the only click is on the toolbar's last button, ⋯, at the
// window's top right.
func destinationErrors(s *stage, wid, out, theme string) {
	g := s.geometry(wid)
	x, y := g.x+g.w-22, g.y+22
	for _, p := range [][2]int{{x - 6, y - 6}, {x, y}} { // motion first: Fyne hovers before it taps
		s.xdo("mousemove", fmt.Sprint(p[0]), fmt.Sprint(p[1]))
		time.Sleep(150 * time.Millisecond)
	}
	s.xdo("click", "1")
	time.Sleep(700 * time.Millisecond)
	key := func(keys ...string) {
		s.xdo(append([]string{"key", "--window", wid, "--delay", "100"}, keys...)...)
		time.Sleep(600 * time.Millisecond)
	}
	typ := func(text string) {
		s.xdo("type", "--window", wid, "--delay", "30", text)
		time.Sleep(300 * time.Millisecond)
	}
	key("Down", "Down", "Down", "Return") // the menu has the focus: Select all, Clear finished, Destinations…
	key("Tab", "Tab", "space")            // the dialog: its list, then Add…
	key("Tab", "Tab")                     // the form: Kind (Any tus server), then Name
	typ("office-nas")                     // taken
	key("Tab")
	typ("nas.local:1080/files") // no scheme
	filled := filepath.Join(s.tmp, "shots", "destination-form-filled.png")
	capture(s, wid, filled)
	key("Return") // Enter in a field saves
	capture(s, wid, out)
	c := errorRGB[theme]
	before, after := countRGB(filled, c), countRGB(out, c)
	if after-before < 40 {
		fatalf("the destination form shows no error after Save (%d pixels of the error colour before, %d after): see %s and %s", before, after, filled, out)
	}
	ok("the destination form after Save, its errors at Name and URL (%d pixels of the error colour): %s", after-before, out)
}

// parkPointer moves the pointer onto the window's footer, a label, so
// that no button shows its hover colour (Fyne keeps a hover when the
// pointer leaves the window, so it is moved within the window).
func (s *stage) parkPointer(wid string) {
	g := s.geometry(wid)
	for _, d := range []int{3, 0} { // a motion, wherever it was
		s.xdo("mousemove", fmt.Sprint(g.x+g.w/2-d), fmt.Sprint(g.y+g.h-22-d))
		time.Sleep(150 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
}

// xdo runs xdotool on the stage's display; it must succeed.
func (s *stage) xdo(args ...string) {
	_, errOut, code, _, err := s.run(30*time.Second, s.env, append([]string{"xdotool"}, args...)...)
	if err != nil || code != 0 {
		fatalf("xdotool %s: exit %d %v %s", strings.Join(args, " "), code, err, errOut)
	}
}

// countRGB counts the pixels of a PNG within a few levels of c.
func countRGB(path string, c [3]uint8) int {
	fh, err := os.Open(path)
	if err != nil {
		fatalf("%v", err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		fatalf("%s: %v", path, err)
	}
	near := func(v uint32, want uint8) bool { d := int(v>>8) - int(want); return d >= -6 && d <= 6 }
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, c[0]) && near(g, c[1]) && near(bl, c[2]) {
				n++
			}
		}
	}
	return n
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
	s.run(10*time.Second, s.env, "xdotool", "windowsize", wid, "1040", "720")
	s.run(30*time.Second, s.env, "xdotool", "click", "--repeat", "15", "--delay", "80", "4")
	time.Sleep(time.Second)
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

// captureScreen saves the whole screen as a PNG.
func captureScreen(s *stage, out string) {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		fatalf("%v", err)
	}
	_, errOut, code, _, err := s.run(60*time.Second, s.env, "import", "-window", "root", out)
	if err != nil || code != 0 {
		fatalf("import -window root failed (exit %d, %v): %s", code, err, errOut)
	}
	if fileSize(out) < 10*KiB {
		fatalf("%s is only %d bytes: a blank capture?", out, fileSize(out))
	}
}
