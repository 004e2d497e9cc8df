//go:build linux

// Command uibench measures Ferry's real window under Xvfb, for the
// issue's "Figures": the window opening a queue of 10 000 jobs (time to a
// visible window, RSS, idle CPU), the window with 3 uploads running (CPU,
// frames and repaints a second) and a drop of a folder of 10 000 files
// (time until every row is listed, the longest stall of the UI goroutine).
//
//	go build -o ferry . && go run ./tools/uibench -ferry ./ferry [-keep]
//
// It prints figures and never fails on a timing: it exits 1 only when it
// could not measure. Needs (Debian): xvfb xdotool python3-xlib. Everything
// it starts (Xvfb, the windows, a receiver) is ended at the end, also on
// failure or Ctrl-C; its files live in one temporary folder, removed at
// the end unless -keep.
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

//go:embed xdnd-drop
var xdndDrop []byte

//go:embed xdamage
var xdamage []byte

// python is Debian's, which has python3-xlib (a python3 earlier on PATH
// may not).
const python = "/usr/bin/python3"

// poll is how often the bench looks for the window.
const poll = 20 * time.Millisecond

type bench struct {
	*stage
	ferry   string
	measure time.Duration
	figs    []figure
	odd     []string // what looked wrong, for the end
}

type figure struct{ name, value, aim, note string }

func (b *bench) add(name, value, aim, note string) {
	b.figs = append(b.figs, figure{name, value, aim, note})
	fmt.Printf("  %s: %s  %s\n", name, value, note)
}

func (b *bench) oddf(format string, args ...any) {
	b.odd = append(b.odd, fmt.Sprintf(format, args...))
}

func main() {
	ferry := flag.String("ferry", "", "the ferry binary (default: go build one from the module in the current folder)")
	files := flag.Int("files", 10000, "small files in the queue and in the dropped folder")
	measure := flag.Duration("measure", 10*time.Second, "how long CPU and repaints are measured")
	rate := flag.String("limit-rate", "30MB", "--limit-rate of the window running 3 uploads (all together)")
	bigMiB := flag.Int64("big-mib", 512, "size of each of the 3 uploaded files (sparse), MiB")
	keep := flag.Bool("keep", false, "keep the temporary folder (logs, data dirs) and print where it is")
	flag.Parse()

	tmp, err := os.MkdirTemp("", "uibench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "uibench:", err)
		os.Exit(1)
	}
	b := &bench{stage: newStage(tmp), measure: *measure}
	var once sync.Once
	finish := func(code int) {
		once.Do(func() {
			b.cleanup()
			if *keep {
				fmt.Println("kept:", tmp)
			} else {
				os.RemoveAll(tmp)
			}
			os.Exit(code)
		})
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "uibench: interrupted; ending what it started")
		finish(1)
	}()
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			fmt.Fprintln(os.Stderr, "uibench: could not measure:", f.msg)
			finish(1)
		}
	}()

	b.ferry = b.binary(*ferry)
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			fatalf("%s is missing (apt-get install xvfb xdotool python3-xlib)", tool)
		}
	}
	if err := exec.Command(python, "-c", "import Xlib").Run(); err != nil {
		fatalf("%s cannot import Xlib (apt-get install python3-xlib)", python)
	}
	for name, body := range map[string][]byte{"xdnd-drop": xdndDrop, "xdamage": xdamage} {
		if err := os.WriteFile(filepath.Join(tmp, name), body, 0o755); err != nil {
			fatalf("%v", err)
		}
	}
	t0 := time.Now()
	b.startX()
	fmt.Printf("Xvfb on %s; files in %s\n", b.display, tmp)

	small := filepath.Join(tmp, "small")
	makeSmall(small, *files, 2048)
	queued, states := makeQueue(filepath.Join(tmp, "data-queue"), small)
	fmt.Printf("made %d files of 2 KiB and a queue of %d jobs (%s) in %.1f s\n", *files, queued, states, time.Since(t0).Seconds())

	b.openQueue(filepath.Join(tmp, "data-queue"), queued)
	var bigs []string
	for i := 1; i <= 3; i++ {
		p := filepath.Join(tmp, "big", fmt.Sprintf("big%d.bin", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		makeSparse(p, *bigMiB<<20)
		bigs = append(bigs, p)
	}
	b.uploads("builtin", *rate, bigs)
	b.uploads("serve", *rate, bigs)
	b.uploads("cli", *rate, bigs)
	b.drop(small, *files, false)
	b.drop(small, *files, true)

	fmt.Printf("\nFigures (Xvfb, Mesa software GL, %s; %d cores; bench took %.0f s)\n\n", b.display, runtime.NumCPU(), time.Since(t0).Seconds())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\taim\tnote")
	for _, f := range b.figs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.name, f.value, f.aim, f.note)
	}
	tw.Flush()
	if len(b.odd) > 0 {
		fmt.Println("\nNoticed:")
		for _, o := range b.odd {
			fmt.Println("- " + o)
		}
	}
	finish(0)
}

// binary is the ferry to measure: the one given, or one built here.
func (b *bench) binary(given string) string {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			fatalf("%v", err)
		}
		if _, err := os.Stat(abs); err != nil {
			fatalf("-ferry: %v", err)
		}
		return abs
	}
	out := filepath.Join(b.tmp, "ferry")
	fmt.Println("building ferry (go build -o", out, ".); a cold build takes minutes")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fatalf("go build: %v", err)
	}
	return out
}

// uiStats is what the window writes at exit when FERRY_UI_STATS is set
// (ui/stats.go).
type uiStats struct {
	Frames   int           `json:"frames"`
	MaxStall time.Duration `json:"max_stall_ns"`
	Rows     int           `json:"rows"`
	RowsAt   time.Time     `json:"rows_at"`
}

// window is one run of `ferry --data-dir D ...` with its own HOME.
type window struct {
	p     *proc
	wid   string
	shown time.Duration // process start → xdotool finds the window visible
	stats string
	home  string
}

// open starts the window and waits until it is visible.
func (b *bench) open(name, data string, args ...string) *window {
	home := filepath.Join(b.tmp, "home-"+name)
	run := filepath.Join(b.tmp, "run-"+name)
	os.MkdirAll(home, 0o755)
	os.MkdirAll(run, 0o700)
	w := &window{stats: filepath.Join(b.tmp, "stats-"+name+".json"), home: home}
	env := append(append([]string{}, b.env...), "HOME="+home, "XDG_RUNTIME_DIR="+run, "FERRY_UI_STATS="+w.stats)
	w.p = b.spawn(name, env, nil, append([]string{b.ferry, "--data-dir", data}, args...)...)
	deadline := w.p.started.Add(60 * time.Second)
	for {
		if w.p.exited() {
			fatalf("%s: ferry ended before its window showed (%s): %s", name, w.p.state, w.p.tail())
		}
		if w.wid = b.windowID(); w.wid != "" {
			w.shown = time.Since(w.p.started)
			return w
		}
		if time.Now().After(deadline) {
			fatalf("%s: no visible Ferry window within 60 s: %s", name, w.p.tail())
		}
		time.Sleep(poll)
	}
}

// quit sends SIGTERM and reads the stats the window wrote at exit.
func (b *bench) quit(name string, w *window) (uiStats, time.Duration) {
	asked := time.Now()
	if !b.stop(w.p, 30*time.Second) {
		b.oddf("%s: ferry did not end within 30 s of SIGTERM (killed)", name)
	}
	took := w.p.endedAt.Sub(asked)
	if code := w.p.state.ExitCode(); code != 0 {
		b.oddf("%s: ferry exited %d after SIGTERM (%s); log: %s", name, code, w.p.state, lastLines(w.p.tail(), 5))
	}
	raw, err := os.ReadFile(w.stats)
	if err != nil {
		fatalf("%s: the window wrote no FERRY_UI_STATS (%v): %s", name, err, w.p.tail())
	}
	var st uiStats
	if err := json.Unmarshal(raw, &st); err != nil {
		fatalf("%s: FERRY_UI_STATS %q: %v", name, raw, err)
	}
	return st, took
}

// damage counts the window's repaints over d, in the background.
func (b *bench) damage(wid string, d time.Duration) func() (repaints int, err error) {
	type res struct {
		n   int
		err error
	}
	ch := make(chan res, 1)
	go func() {
		out, err := b.run(d+15*time.Second, b.env, python, filepath.Join(b.tmp, "xdamage"), wid, fmt.Sprint(d.Seconds()))
		if err != nil {
			ch <- res{0, err}
			return
		}
		var r struct {
			Repaints int     `json:"repaints"`
			Seconds  float64 `json:"seconds"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			ch <- res{0, fmt.Errorf("xdamage said %q", out)}
			return
		}
		ch <- res{r.Repaints, nil}
	}()
	return func() (int, error) { r := <-ch; return r.n, r.err }
}

// sleepUntil sleeps until t.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// 1. The window opening a queue of n paused jobs: time to a visible
// window, RSS after 3 s, CPU while idle.
func (b *bench) openQueue(data string, n int) {
	fmt.Printf("\n1. the window opening a queue of %d paused jobs\n", n)
	name := "queue"
	w := b.open(name, data)
	b.add("window shown, queue of "+fmt.Sprint(n), ms(w.shown), "-",
		fmt.Sprintf("process start → xdotool search --onlyvisible finds it; polled every %s (+ ~5 ms per xdotool run)", poll))
	sleepUntil(w.p.started.Add(w.shown + 3*time.Second))
	rss, err := rssKiB(w.p.pid())
	if err != nil {
		fatalf("RSS: %v", err)
	}
	b.add("RSS 3 s after shown", fmt.Sprintf("%.0f MiB", float64(rss)/1024), "-", "VmRSS")
	xpid := b.procs[0].pid() // Xvfb
	m := startCPU(w.p.pid(), xpid)
	rep := b.damage(w.wid, b.measure)
	time.Sleep(b.measure)
	pct := m.percent()
	b.add("CPU idle, "+fmt.Sprint(n)+" jobs", pct1(pct[0]), "< 1 % of a core",
		fmt.Sprintf("ferry utime+stime over %s (10 ms ticks); Xvfb %s", b.measure, pct1(pct[1])))
	if pct[0] >= 1 {
		b.oddf("idle CPU with %d paused jobs is %s of a core (aim < 1 %%)", n, pct1(pct[0]))
	}
	if r, err := rep(); err != nil {
		b.add("repaints idle", "-", "-", "not measured: "+err.Error())
	} else {
		b.add("repaints idle", perSec(r, b.measure), "-", "X DAMAGE on the window over the same stretch")
	}
	st, took := b.quit(name, w)
	life := w.p.endedAt.Sub(w.p.started) - took
	b.add("rows listed at open", ms(st.RowsAt.Sub(w.p.started)), "-",
		fmt.Sprintf("process start → rows_at; rows = %d", st.Rows))
	if st.Rows != n {
		b.oddf("the window opened on %d jobs listed %d rows", n, st.Rows)
	}
	b.add("longest UI stall, open", ms(st.MaxStall), "-", "max_stall_ns over the whole run")
	b.add("frames/s idle", fmt.Sprintf("%.1f", float64(st.Frames)/life.Seconds()), "-",
		fmt.Sprintf("FERRY_UI_STATS frames %d over %.1f s, start to SIGTERM; SIGTERM → exit %s", st.Frames, life.Seconds(), ms(took)))
}

// 2. Three uploads running at once under --limit-rate: CPU of the window
// process, frames and repaints a second. kind "builtin": into the
// window's own receiver (its CPU is the window's); "serve": into a
// separate `ferry serve`, so the window's process only sends; "cli": the
// same with `ferry upload` and no window, the cost of sending alone.
func (b *bench) uploads(kind, rate string, files []string) {
	name := "uploads-" + kind
	var (
		recv, url string
		srv       *proc
		label     string
	)
	switch kind {
	case "builtin":
		fmt.Printf("\n2. 3 uploads at once (--limit-rate %s) into the built-in receiver\n", rate)
		label = "3 uploads"
	case "serve":
		fmt.Printf("\n2b. the same into a separate `ferry serve` (the window process only sends)\n")
		label = "3 uploads, ext recv"
		srv, url, recv = b.serve(name)
	case "cli":
		fmt.Printf("\n2c. the same with `ferry upload` into a separate `ferry serve`: no window\n")
		label = "3 uploads, no window"
		srv, url, recv = b.serve(name)
	}
	var w *window
	var p *proc
	data := filepath.Join(b.tmp, "data-"+name)
	if kind == "cli" {
		home := filepath.Join(b.tmp, "home-"+name)
		os.MkdirAll(home, 0o755)
		env := append(append([]string{}, b.env...), "HOME="+home)
		p = b.spawn(name, env, nil, append([]string{b.ferry, "upload", "--data-dir", data, "--to", url, "--limit-rate", rate}, files...)...)
		sleepUntil(p.started.Add(3 * time.Second))
		if p.exited() {
			fatalf("ferry upload ended: %s", p.tail())
		}
	} else {
		var args []string
		if url != "" {
			args = append(args, "--to", url)
		}
		w = b.open(name, data, append(append(args, "--limit-rate", rate), files...)...)
		p = w.p
		if recv == "" {
			recv = filepath.Join(w.home, "Ferry", "Received")
		}
		sleepUntil(p.started.Add(w.shown + 3*time.Second))
	}
	pids := []int{p.pid(), b.procs[0].pid()}
	if srv != nil {
		pids = append(pids, srv.pid())
	}
	bytes0, at0 := dirBytes(recv), time.Now()
	m := startCPU(pids...)
	var rep func() (int, error)
	if w != nil {
		rep = b.damage(w.wid, b.measure)
	}
	time.Sleep(b.measure)
	pct := m.percent()
	got := float64(dirBytes(recv)-bytes0) / time.Since(at0).Seconds()
	note := fmt.Sprintf("ferry over %s; Xvfb %s", b.measure, pct1(pct[1]))
	if srv != nil {
		note += fmt.Sprintf("; ferry serve %s", pct1(pct[2]))
	} else {
		note += "; includes the receiver writing the files"
	}
	note += fmt.Sprintf("; received %.1f MB/s", got/1e6)
	aim := "< 15 % of a core"
	if w == nil {
		aim = "-"
	}
	b.add("CPU, "+label, pct1(pct[0]), aim, note)
	if got < 1e6 {
		b.oddf("%s: the uploads hardly moved (%.0f B/s received) while CPU was measured", name, got)
	}
	if w == nil {
		b.stop(p, 10*time.Second)
		b.stop(srv, 5*time.Second)
		return
	}
	if pct[0] >= 15 {
		b.oddf("%s: CPU %s of a core (aim < 15 %%)", name, pct1(pct[0]))
	}
	if r, err := rep(); err != nil {
		b.add("repaints/s, "+label, "-", "≤ 10 /s", "not measured: "+err.Error())
	} else {
		b.add("repaints/s, "+label, perSec(r, b.measure), "≤ 10 /s", "X DAMAGE on the window over the same stretch")
		if float64(r)/b.measure.Seconds() > 10.5 {
			b.oddf("%s: %s repaints a second (aim ≤ 10)", name, perSec(r, b.measure))
		}
	}
	st, took := b.quit(name, w)
	life := w.p.endedAt.Sub(w.p.started) - took
	b.add("frames/s, "+label, fmt.Sprintf("%.1f", float64(st.Frames)/life.Seconds()), "≤ 10 /s",
		fmt.Sprintf("FERRY_UI_STATS frames %d over %.1f s, start to SIGTERM (idle: see above); SIGTERM → exit %s", st.Frames, life.Seconds(), ms(took)))
	if srv != nil {
		b.stop(srv, 5*time.Second)
	}
}

// serve starts `ferry serve` on a free loopback port and waits until it
// listens.
func (b *bench) serve(name string) (srv *proc, url, recv string) {
	port := closedPort()
	recv = filepath.Join(b.tmp, "received-"+name)
	home := filepath.Join(b.tmp, "home-serve-"+name)
	os.MkdirAll(home, 0o755)
	env := append(append([]string{}, b.env...), "HOME="+home)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv = b.spawn("serve-"+name, env, nil, b.ferry, "serve", "--listen", addr,
		"--dir", recv, "--data-dir", filepath.Join(b.tmp, "data-serve-"+name))
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if srv.exited() || time.Since(start) > 15*time.Second {
			fatalf("ferry serve did not listen on %s: %s", addr, srv.tail())
		}
	}
	return srv, "http://" + addr + "/files/", recv
}

// 3. A drop of one folder of n files on a fresh window: time from the
// drop until the list holds every row, and the UI goroutine's longest
// stall. held: the window runs with --limit-rate 1 (1 byte/s), so the
// uploads the drop starts hardly move and the figures are the list's
// own; otherwise the first start's built-in receiver takes them at full
// speed meanwhile. The fresh window is first measured idle.
func (b *bench) drop(folder string, n int, held bool) {
	name, label := "drop", "drop"
	var args []string
	if held {
		name, label = "drop-held", "drop, uploads held"
		args = []string{"--limit-rate", "1"}
		fmt.Printf("\n3b. the same drop on a window with --limit-rate 1 (uploads hardly move: the list's own cost)\n")
	} else {
		fmt.Printf("\n3. a drop of a folder of %d files on a fresh window (first start: the built-in receiver, uploads at full speed)\n", n)
	}
	w := b.open(name, filepath.Join(b.tmp, "data-"+name), args...)
	sleepUntil(w.p.started.Add(w.shown + time.Second))
	if !held {
		m := startCPU(w.p.pid(), b.procs[0].pid())
		rep := b.damage(w.wid, b.measure)
		time.Sleep(b.measure)
		pct := m.percent()
		b.add("CPU idle, empty queue", pct1(pct[0]), "< 1 % of a core", fmt.Sprintf("ferry over %s; Xvfb %s", b.measure, pct1(pct[1])))
		if r, err := rep(); err == nil {
			b.add("repaints idle, empty", perSec(r, b.measure), "-", "X DAMAGE")
		}
	}
	g := b.geometry(w.wid)
	cpu0, _ := cpuTime(w.p.pid())
	out, err := b.run(60*time.Second, b.env, python, filepath.Join(b.tmp, "xdnd-drop"), w.wid,
		fmt.Sprint(g.x+g.w/2), fmt.Sprint(g.y+g.h/2), folder)
	if err != nil {
		fatalf("the drop: %v", err)
	}
	dropAt, finishedAt := stamp(out, "drop_at"), stamp(out, "finished_at")
	if dropAt.IsZero() {
		fatalf("the drop helper did not say when it dropped: %q", out)
	}
	recv := filepath.Join(w.home, "Ferry", "Received")
	var arrivedAt time.Time
	if held {
		// Wait until the window has done its work: CPU under 10 % of a
		// core for half a second, 2 s after the drop at the earliest.
		last, lastAt := cpu0, time.Now()
		for time.Since(dropAt) < 30*time.Second {
			time.Sleep(500 * time.Millisecond)
			t, err := cpuTime(w.p.pid())
			if err != nil {
				fatalf("ferry ended after the drop: %s", w.p.tail())
			}
			quiet := float64(t-last)/float64(time.Since(lastAt)) < 0.10
			last, lastAt = t, time.Now()
			if quiet && time.Since(dropAt) > 2*time.Second {
				break
			}
		}
		time.Sleep(time.Second)
	} else {
		// The first file arrives once the engine has queued (and
		// published) every job; the rows are then the window's to show.
		for start := time.Now(); time.Since(start) < 60*time.Second; time.Sleep(poll) {
			if firstFile(recv) {
				arrivedAt = time.Now()
				break
			}
			if w.p.exited() {
				fatalf("ferry ended after the drop: %s", w.p.tail())
			}
		}
		if arrivedAt.IsZero() {
			b.oddf("drop: no file arrived within 60 s of the drop")
		}
		time.Sleep(8 * time.Second)
	}
	cpu1, _ := cpuTime(w.p.pid())
	span := time.Since(dropAt)
	arrived := countFiles(recv)
	st, took := b.quit(name, w)
	note := fmt.Sprintf("rows_at − XdndDrop sent; rows = %d; XdndFinished after %s", st.Rows, ms(finishedAt.Sub(dropAt)))
	if !held {
		note += "; first file arrived after " + msOr(arrivedAt, dropAt)
	}
	b.add(label+" → rows listed", ms(st.RowsAt.Sub(dropAt)), "-", note)
	if st.Rows != n {
		b.oddf("%s: the list held %d rows, not %d, when the window was ended", label, st.Rows, n)
	}
	life := w.p.endedAt.Sub(w.p.started) - took
	b.add("longest UI stall, "+label, ms(st.MaxStall), "-",
		fmt.Sprintf("max_stall_ns over the whole run; ferry CPU drop → SIGTERM %s over %.1f s; %d files arrived; SIGTERM → exit %s",
			pct1(100*float64(cpu1-cpu0)/float64(span)), span.Seconds(), arrived, ms(took)))
	b.add("frames/s, "+label, fmt.Sprintf("%.1f", float64(st.Frames)/life.Seconds()), "-",
		fmt.Sprintf("FERRY_UI_STATS frames %d over %.1f s, start to SIGTERM", st.Frames, life.Seconds()))
	if st.MaxStall > 250*time.Millisecond {
		b.oddf("%s: the UI goroutine kept a frame waiting %s", label, ms(st.MaxStall))
	}
}

// firstFile: a file (not the receiver's hidden work folder) is in dir.
func firstFile(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	for {
		names, err := f.Readdirnames(64)
		for _, n := range names {
			if !strings.HasPrefix(n, ".") {
				return true
			}
		}
		if err != nil || len(names) == 0 {
			return false
		}
	}
}

func countFiles(dir string) int {
	es, _ := os.ReadDir(dir)
	n := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}

func stamp(out, key string) time.Time {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return time.Unix(0, int64(f*1e9))
			}
		}
	}
	return time.Time{}
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func msOr(t, from time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return ms(t.Sub(from))
}

func pct1(p float64) string { return fmt.Sprintf("%.1f %%", p) }

func perSec(n int, d time.Duration) string {
	return fmt.Sprintf("%.1f /s", float64(n)/d.Seconds())
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
