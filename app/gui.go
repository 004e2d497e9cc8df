//go:build !nogui

package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/autostart"
	"github.com/ferry-app/ferry/internal/awake"
	"github.com/ferry-app/ferry/internal/endsession"
	"github.com/ferry-app/ferry/keychain"
	"github.com/ferry-app/ferry/ui"
	"github.com/ferry-app/ferry/watch"
)

// appID names Ferry to the desktop (settings, notifications, autostart).
const appID = "app.ferry.Ferry"

// cmdWindow opens the window: ferry [flags] [FILE|DIR...]. A Ferry that
// already runs gets the files (or is brought forward) and this one exits.
// The notes are said in the window, or on stderr when it does not open.
func cmdWindow(args []string, notes []string, stdout, stderr io.Writer) int {
	defer func() { sayNotes(stderr, notes) }()
	wa, err := parseWindowArgs(args, stdout)
	if err != nil {
		return exitCode(err, stderr)
	}
	dir, err := wa.c.resolveDataDir()
	if err != nil {
		return exitCode(err, stderr)
	}
	kc := keychain.Open(dir, nil)
	warn := func(s string) { notes = append(notes, s) } // the window says them
	eng, err := engine.Open(engine.Options{DataDir: dir, Keychain: kc, Warn: warn})
	if isLocked(err) {
		return exitCode(handToRunning(dir, wa, stdout), stderr)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	if !hasDisplay() {
		eng.Close()
		return exitCode(fault.New(fault.CodeNoWindow, "There is no display here (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot open. Use `ferry serve` to receive files, `ferry upload --to URL FILE` to send them."), stderr)
	}
	if err := firstStart(eng); err != nil {
		eng.Close()
		return exitCode(err, stderr)
	}
	opts := ui.Options{Engine: eng, Concurrency: wa.c.concurrency, RateLimit: int64(wa.c.limitRate),
		KeychainNote: kc.Fallback(), Frames: true, TrayHost: trayHost}
	if wa.to != "" {
		if opts.Dest, err = destination(eng, wa.to, common{}); err != nil {
			eng.Close()
			return exitCode(err, stderr)
		}
	}
	recv := newReceivers(stderr)
	defer recv.stop()
	opts.NeedDest = func(name string) error { return recv.need(eng, name) }
	for _, d := range eng.Destinations() { // jobs left for a receiver need it running
		if d.Provider().Served && (d.Name == eng.DefaultDestination() || eng.JobsGoingTo(d.Name) > 0) {
			if err := recv.need(eng, d.Name); err != nil {
				fmt.Fprintf(stderr, "ferry: %v\n", err)
			}
		}
	}
	wt := watch.New(eng, watch.Options{})
	if folders, err := eng.WatchFolders(); err == nil {
		for _, f := range folders { // their receivers run before they queue
			if f.Dest.Name != "" {
				if err := recv.need(eng, f.Dest.Name); err != nil {
					fmt.Fprintf(stderr, "ferry: %v\n", err)
				}
			}
		}
	}
	if err := wt.StartSaved(); err != nil {
		fmt.Fprintf(stderr, "ferry: %v\n", err)
	}
	opts.Watcher = wt
	inhibit := awake.New("Ferry", "Uploading files")
	defer inhibit.Close()
	opts.Awake = inhibit
	if autostart.Supported() {
		if exe, err := os.Executable(); err == nil {
			opts.Autostart = autostart.Entry{ID: appID, Name: "Ferry", Comment: "Resumable uploads of big files", Exec: exe}
		}
	}

	opts.Notes, notes = notes, nil // the window says them

	a := fyneapp.NewWithID(appID)
	a.SetIcon(ui.AppIcon())
	w := ui.New(a, opts)
	stopControl := control.ServeFront(eng, front{w: w, eng: eng, need: opts.NeedDest})
	eng.Start()
	w.Add(wa.paths, nil)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fyne.Do(a.Quit)
	}()
	// A session ending on Windows (log off, shut down) is a message to the
	// window, not a signal, and Windows ends the process once it is
	// answered. The queue is saved there and then, not by the window's
	// loop, which may not run again (under Wine it does not), and the
	// process ends itself rather than keep the session waiting.
	stopEnd := endsession.Notify(func() {
		wt.Close()
		os.Exit(exitCode(eng.Close(), stderr))
	})
	defer stopEnd()
	if p, _ := ui.LoadPrefs(eng); !p.StartMinimised || !trayHost() { // the window says a damaged record
		w.Window().Show()
	}
	a.Run()
	signal.Stop(sigs)
	stopControl()
	w.Close()
	wt.Close() // before the engine
	// make bench reads the window's figures.
	if path := os.Getenv("FERRY_UI_STATS"); path != "" {
		b, _ := json.Marshal(w.Stats())
		os.WriteFile(path, b, 0o644)
	}
	return exitCode(eng.Close(), stderr)
}

// front is what the window offers a second `ferry`.
type front struct {
	w    *ui.Window
	eng  *engine.Engine
	need func(string) error
}

func (f front) Show() { fyne.Do(f.w.Show) }

func (f front) Add(paths []string, dest string) (int, error) {
	if dest != "" {
		d, err := destination(f.eng, dest, common{})
		if err != nil {
			return 0, err
		}
		if d.Name != "" {
			if err := f.need(d.Name); err != nil {
				return 0, err
			}
		}
		n := 0
		for _, a := range f.eng.AddMany(paths, d) {
			if a.Err == nil {
				n++
			}
		}
		fyne.Do(f.w.Show)
		return n, nil
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	fyne.Do(func() {
		f.w.Show()
		f.w.Add(paths, func(n int, err error) { done <- result{n, err} })
	})
	r := <-done
	return r.n, r.err
}

// handToRunning gives the files to the Ferry that holds the queue, or
// brings its window forward.
func handToRunning(dir string, wa windowArgs, stdout io.Writer) error {
	if len(wa.paths) == 0 {
		if err := control.Show(dir); err != nil {
			return runningErr(dir, err)
		}
		fmt.Fprintln(stdout, "Ferry is already running; its window is brought forward.")
		return nil
	}
	n, err := control.Hand(dir, wa.paths, wa.to)
	if err != nil {
		return runningErr(dir, err)
	}
	fmt.Fprintf(stdout, "Handed to the running Ferry: %d queued.\n", n)
	return nil
}

func runningErr(dir string, err error) error {
	switch {
	case errors.Is(err, control.ErrNoWindow):
		return fault.Wrap(fault.CodeNoWindow, err, "Another Ferry without a window (ferry upload, resume or serve) is using %s; wait for it to end, or pass --data-dir.", dir)
	case errors.Is(err, control.ErrNoServer):
		return fault.Wrap(fault.CodeLocked, err, "Another Ferry holds the queue in %s but does not answer; if none runs, a stuck process holds a stale lock: end it, or pass --data-dir.", dir)
	}
	return err
}

func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || runtimeHasDesktop
}

// Windows and macOS always have a desktop when a person starts Ferry.
const runtimeHasDesktop = runtime.GOOS == "windows" || runtime.GOOS == "darwin"
