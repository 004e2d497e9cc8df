//go:build linux

// Command e2e-windows runs Ferry's Windows build as a new user would,
// under Wine on a virtual display, against a real tusd in this process
// behind a link that cuts every few megabytes:
//
//   - installs the MSI into a fresh Wine prefix, and starts the program its
//     Start-menu shortcut names, with files on its command line;
//   - a second ferry.exe hands a file to the running window (named pipe);
//   - the session ends mid-upload (wineboot --end-session: WM_ENDSESSION),
//     and Ferry must quit by itself with its queue saved;
//   - started again, it finishes: every file arrives once, byte for byte
//     (SHA-256), one upload created for each;
//   - a screenshot of the window (-screenshot).
//
// Run it as:
//
//	go run ./tools/e2e-windows -msi dist/ferry-VERSION-windows-amd64.msi [-screenshot OUT.png] [-keep]
//
// Needs (Debian): wine, gcc-mingw-w64-x86-64 (scripts/wine/prefix), xvfb,
// openbox, imagemagick. Every step prints "ok: …"; the exit code is 0
// only if all passed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
)

var t0 = time.Now()

func ok(format string, args ...any) {
	fmt.Printf("ok: %s  [%.1fs]\n", fmt.Sprintf(format, args...), time.Since(t0).Seconds())
}

func main() {
	msi := flag.String("msi", "", "the MSI to install (make windows builds it)")
	shot := flag.String("screenshot", "", "save a PNG of the window here, files uploading")
	keep := flag.Bool("keep", false, "keep the temporary folder (prefix, logs, files) and print where it is")
	flag.Parse()
	if *msi == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/e2e-windows -msi FILE.msi [-screenshot OUT.png] [-keep]")
		os.Exit(2)
	}
	h := &tustest.Hand{}
	r := &run{h: h, keep: *keep}
	code := r.main(*msi, *shot)
	h.Close()
	os.Exit(code)
}

// run is one end-to-end run: its folder, display and Wine prefix.
type run struct {
	h       *tustest.Hand
	keep    bool
	tmp     string
	prefix  string
	display string
	env     []string
	window  *exec.Cmd
	winLog  bytes.Buffer
	exited  chan error
}

// failure is a failed step, carried by panic to main's one report.
type failure struct{ msg string }

func (r *run) fatalf(format string, args ...any) { panic(failure{fmt.Sprintf(format, args...)}) }

func (r *run) main(msi, shot string) (code int) {
	var err error
	if r.tmp, err = os.MkdirTemp("", "ferry-e2e-windows-"); err != nil {
		fmt.Println("FAIL:", err)
		return 1
	}
	defer func() {
		if v := recover(); v != nil {
			f, isFailure := v.(failure)
			if !isFailure {
				panic(v)
			}
			fmt.Println("FAIL:", f.msg)
			fmt.Printf("--- ferry.exe (the window) said:\n%s\n", r.winLog.String())
			code = 1
		}
		r.teardown()
		if r.keep || code != 0 {
			fmt.Println("kept:", r.tmp)
		} else {
			os.RemoveAll(r.tmp)
		}
	}()
	r.prefix = filepath.Join(r.tmp, "prefix")
	r.startDisplay()
	r.env = append(os.Environ(), "WINEPREFIX="+r.prefix, "WINEDEBUG=-all", "DISPLAY="+r.display, "WINEDLLOVERRIDES=mscoree,mshtml=")
	start := time.Now()
	r.must(exec.Command("scripts/wine/prefix", r.prefix))
	ok("a fresh Wine prefix with Go's bcryptprimitives stand-in (%s)", time.Since(start).Round(time.Second))

	exe := r.install(msi)
	r.uploadThroughTheWindow(exe, shot)
	return 0
}

// install installs the MSI quietly and returns the program its Start-menu
// shortcut starts, as a Unix path.
func (r *run) install(msi string) string {
	abs, _ := filepath.Abs(msi)
	r.must(r.wine("msiexec", "/i", r.winPath(abs), "/qn"))
	exe := filepath.Join(r.prefix, "drive_c", "Program Files", "Ferry", "ferry.exe")
	if _, err := os.Stat(exe); err != nil {
		r.fatalf("after installing, no %s: %v", exe, err)
	}
	// The all-users Start menu, or the user's (where Wine puts it).
	lnks, _ := filepath.Glob(filepath.Join(r.prefix, "drive_c", "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "Ferry.lnk"))
	user, _ := filepath.Glob(filepath.Join(r.prefix, "drive_c", "users", "*", "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Ferry.lnk"))
	if lnks = append(lnks, user...); len(lnks) == 0 {
		r.fatalf("no Start-menu shortcut Ferry.lnk")
	}
	b, err := os.ReadFile(lnks[0])
	if err != nil {
		r.fatalf("the Start-menu shortcut: %v", err)
	}
	// A shell link keeps its target's path in the ANSI or UTF-16 string
	// data; either way "ferry.exe" is in it.
	if !bytes.Contains(bytes.ToLower(b), []byte("ferry.exe")) && !bytes.Contains(bytes.ToLower(b), utf16le("ferry.exe")) {
		r.fatalf("the Start-menu shortcut does not start ferry.exe")
	}
	ok("installed %s: C:\\Program Files\\Ferry\\ferry.exe, with a Start-menu shortcut to it", filepath.Base(msi))
	return exe
}

func (r *run) uploadThroughTheWindow(exe, shot string) {
	srv := tustest.New(r.h, tustest.WithFaults(tustest.Faults{CutEvery: 12 << 20, CutSeed: 3, RateLimit: 24 << 20}))
	src := filepath.Join(r.tmp, "Videos")
	files := map[string]int64{"interview.mp4": 30 << 20, "b-roll.mov": 5 << 20, "handed-over.mkv": 3 << 20, "feature.mp4": 160 << 20}
	shas := map[string]string{}
	paths := map[string]string{}
	for name, size := range files {
		paths[name], shas[name] = tustest.RandomFile(r.h, src, name, size, int64(len(name)))
	}
	first := []string{"--to", srv.URL}
	for _, name := range []string{"interview.mp4", "b-roll.mov", "feature.mp4"} {
		first = append(first, r.winPath(paths[name]))
	}
	r.startWindow(exe, first...)
	r.waitDone(srv, 3*time.Minute, "interview.mp4", "b-roll.mov")
	ok("the window, started with three files, sent two whole through a link cut every 12 MB")

	out, err := r.wine(exe, r.winPath(paths["handed-over.mkv"])).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Handed to the running Ferry") {
		r.fatalf("a second ferry.exe FILE: %v\n%s", err, out)
	}
	r.waitDone(srv, 2*time.Minute, "handed-over.mkv")
	ok("a second ferry.exe handed its file to the running window: %q", strings.TrimSpace(string(out)))

	if shot != "" {
		r.screenshot(shot)
		ok("screenshot saved as %s", shot)
	}
	up := r.waitOffset(srv, "feature.mp4", 40<<20, 2*time.Minute)
	r.must(r.wine("wineboot", "--end-session"))
	select {
	case err := <-r.exited:
		if err != nil {
			r.fatalf("at the session's end ferry.exe ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		r.fatalf("ferry.exe still running 20 s after the session ended")
	}
	ok("the session ended mid-upload (%d of %d MB there): Ferry quit by itself, exit 0", up.Offset>>20, up.Size>>20)

	// A clean quit puts the cut upload back in the queue ("queued"); a
	// killed Ferry would have left it "uploading".
	q, err := r.wine(exe, "queue", "--json").Output()
	var job struct{ Path, State string }
	for _, line := range strings.Split(string(q), "\n") {
		if strings.Contains(line, "feature.mp4") {
			json.Unmarshal([]byte(line), &job)
		}
	}
	if err != nil || job.State != "queued" {
		r.fatalf("ferry.exe queue --json after the session ended: %v (feature.mp4 is %q, want queued)\n%s", err, job.State, q)
	}
	ok("the queue was saved as at a clean quit: %s is %s", job.Path, job.State)

	r.startWindow(exe)
	r.waitDone(srv, 3*time.Minute, "feature.mp4")
	for name, sha := range shas {
		u, found := srv.UploadByName(name)
		if !found || !u.Done || u.SHA256 != sha {
			r.fatalf("%s did not arrive as sent: %+v", name, u)
		}
	}
	if n := srv.Created(); n != len(files) {
		r.fatalf("%d uploads created for %d files", n, len(files))
	}
	ok("started again, it finished the same upload: %d files arrived byte for byte (SHA-256), %d uploads created in all", len(files), srv.Created())
}

// waitDone waits until the server holds each named upload whole.
func (r *run) waitDone(srv *tustest.Server, within time.Duration, names ...string) {
	deadline := time.Now().Add(within)
	for _, name := range names {
		for {
			if u, found := srv.UploadByName(name); found && u.Done {
				break
			}
			if time.Now().After(deadline) {
				u, _ := srv.UploadByName(name)
				r.fatalf("%s not arrived after %s (%d of %d bytes)", name, within, u.Offset, u.Size)
			}
			r.stillRunning()
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// waitOffset waits until the server holds at least n bytes of name.
func (r *run) waitOffset(srv *tustest.Server, name string, n int64, within time.Duration) tustest.Upload {
	deadline := time.Now().Add(within)
	for {
		if u, found := srv.UploadByName(name); found && u.Offset >= n {
			return u
		}
		if time.Now().After(deadline) {
			r.fatalf("%s: fewer than %d bytes after %s", name, n, within)
		}
		r.stillRunning()
		time.Sleep(100 * time.Millisecond)
	}
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range s {
		b = append(b, byte(c), 0)
	}
	return b
}
