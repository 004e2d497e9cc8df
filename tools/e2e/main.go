//go:build linux

// Command e2e runs Ferry's real window end to end, as a person would use
// it, on a virtual X display with a private D-Bus session and a tray
// watcher: files and a folder dropped on the window by XDND and received
// byte for byte by the built-in receiver; the tray menu read and clicked
// over D-Bus (Pause all / Resume all); a second `ferry FILE` handing a
// file to the running window; SIGTERM mid-upload and a restart that
// resumes the same upload. With -screenshot it instead fills a window
// with jobs in every state and saves pictures of it (shot.go): OUT.png and
// OUT-light, -dark, -compact, -800x600, -1366x768-scale2 and
// -destination-errors next to it.
//
//	go run ./tools/e2e [-ferry PATH] [-screenshot OUT.png] [-keep]
//	go run ./tools/e2e tray list|click LABEL|icon     (the tray on $DBUS_SESSION_BUS_ADDRESS)
//
// Needs (Debian): xvfb xdotool imagemagick python3-xlib dbus
// haskell-status-notifier-item-utils; -screenshot also openbox. Every step prints "ok: …"; the
// exit code is 0 only if all passed. Everything it starts is ended at the
// end, also on failure or Ctrl-C, and checked gone with pgrep.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/ferry-app/ferry/internal/clocale" // before Fyne's locale lookup (prefs.go opens ui)
)

//go:embed xdnd-drop
var xdndDrop []byte

// failure is a failed check, carried by panic to the one place that
// reports it and cleans up.
type failure struct{ msg string }

func fatalf(format string, args ...any) { panic(failure{fmt.Sprintf(format, args...)}) }

var t0 = time.Now()

// ok reports a passed step.
func ok(format string, args ...any) {
	fmt.Printf("ok: %s  [%.1fs]\n", fmt.Sprintf(format, args...), time.Since(t0).Seconds())
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "tray" {
		os.Exit(trayCommand(os.Args[2:]))
	}
	ferryBin := flag.String("ferry", "", "the ferry binary to test (default: go build one from the module in the current folder)")
	shot := flag.String("screenshot", "", "instead of the checks, fill a window with jobs in every state and save a PNG of it here, and the set beside it (OUT-light.png, OUT-dark.png, OUT-compact.png, OUT-800x600.png, OUT-1366x768-scale2.png, OUT-destination-errors.png)")
	keep := flag.Bool("keep", false, "keep the temporary folder (logs, data dir, received files; with -screenshot, review shots of every row) and print where it is")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/e2e [-ferry PATH] [-screenshot OUT.png] [-keep]\n       go run ./tools/e2e tray list|click LABEL|icon")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(*ferryBin, *shot, *keep))
}

func run(ferryBin, shot string, keep bool) (code int) {
	tmp, err := os.MkdirTemp("", "ferry-e2e-")
	if err != nil {
		fmt.Println("FAIL:", err)
		return 1
	}
	s := &stage{tmp: tmp, logDir: filepath.Join(tmp, "logs")}
	var once sync.Once
	finish := func() {
		once.Do(func() {
			if err := s.teardown(); err != nil {
				fmt.Println("FAIL:", err)
				code = 1
			} else {
				ok("everything started here has ended (pgrep finds nothing)")
			}
			if keep || code != 0 {
				fmt.Println("kept:", tmp)
			} else {
				os.RemoveAll(tmp)
			}
		})
	}
	// Ctrl-C or a CI timeout: end what was started before going.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Printf("FAIL: interrupted (%v); cleaning up\n", sig)
		code = 1
		finish()
		os.Exit(130)
	}()

	func() {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			code = 1
			if f, isFailure := v.(failure); isFailure {
				fmt.Println("FAIL:", f.msg)
			} else {
				fmt.Printf("FAIL: panic: %v\n%s", v, debug.Stack())
			}
			s.dumpLogs("ferry") // the windows' and ferry serve's stderr
		}()
		for _, d := range []string{"logs", "home", "config", "share", "cache", "run", "src"} {
			if err := os.MkdirAll(filepath.Join(tmp, d), 0o700); err != nil {
				fatalf("%v", err)
			}
		}
		bin := buildFerry(ferryBin, tmp)
		drop := filepath.Join(tmp, "xdnd-drop")
		if err := os.WriteFile(drop, xdndDrop, 0o755); err != nil {
			fatalf("%v", err)
		}
		base := baseEnv()
		s.startX(base)
		s.startBus(base)
		s.env = append(base,
			"DISPLAY="+s.display,
			"DBUS_SESSION_BUS_ADDRESS="+s.busAddr,
			"HOME="+filepath.Join(tmp, "home"),
			"XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
			"XDG_DATA_HOME="+filepath.Join(tmp, "share"),
			"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"),
			"XDG_RUNTIME_DIR="+filepath.Join(tmp, "run"),
			"LANG=en_US.UTF-8",
		)
		ok("Xvfb on %s, a private session bus with status-notifier-watcher and a notification server", s.display)
		newApp := func(name string) *ferryApp {
			a := &ferryApp{s: s, bin: bin, data: filepath.Join(tmp, name),
				recv: filepath.Join(tmp, "home", "Ferry", "Received")}
			return a
		}
		if shot != "" {
			screenshot(s, newApp("data"), shot, keep)
		} else {
			checks(s, newApp("data"), drop)
		}
	}()
	finish()
	if code == 0 {
		fmt.Printf("PASS (%.1fs)\n", time.Since(t0).Seconds())
	} else {
		fmt.Printf("FAILED (%.1fs)\n", time.Since(t0).Seconds())
	}
	return code
}

// buildFerry builds ferry into tmp, unless one is given.
func buildFerry(given, tmp string) string {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			fatalf("%v", err)
		}
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			fatalf("-ferry %s: not a file (%v)", given, err)
		}
		return abs
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = "/usr/local/go/bin/go"
	}
	out, err := exec.Command(gobin, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		fatalf("run this from Ferry's module (go env GOMOD gives %q), or pass -ferry PATH", gomod)
	}
	bin := filepath.Join(tmp, "ferry")
	start := time.Now()
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		fatalf("go build failed: %v\n%s", err, out)
	}
	ok("built ferry (%.1fs)", time.Since(start).Seconds())
	return bin
}

// baseEnv is this process's environment without what points at the
// user's own desktop, session or Ferry.
func baseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "DISPLAY", k == "WAYLAND_DISPLAY", k == "DBUS_SESSION_BUS_ADDRESS", k == "HOME",
			strings.HasPrefix(k, "XDG_"), k == "LANG", k == "LANGUAGE", strings.HasPrefix(k, "LC_"),
			strings.HasPrefix(k, "FERRY_"), k == "FYNE_THEME", k == "FYNE_SCALE":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// dropOn drops paths on the window by XDND, at its centre.
func dropOn(s *stage, drop, wid string, paths ...string) {
	g := s.geometry(wid)
	args := append([]string{"/usr/bin/python3", drop, wid, fmt.Sprint(g.x + g.w/2), fmt.Sprint(g.y + g.h/2)}, paths...)
	out, errOut, code, _, err := s.run(60*time.Second, s.env, args...)
	if err != nil || code != 0 {
		fatalf("xdnd-drop failed (exit %d, %v): %s%s", code, err, out, errOut)
	}
}

// uploadTimeout: how long size bytes may take at rate bytes/s on a slow
// machine.
func uploadTimeout(size int64, rate float64) time.Duration {
	return time.Duration(float64(size)/rate*2*float64(time.Second)) + 60*time.Second
}
