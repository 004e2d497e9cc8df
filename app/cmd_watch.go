package app

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch"
	"github.com/ferry-app/ferry/watch/settings"
)

// watchOpts are ferry watch's own flags.
type watchOpts struct {
	common common
	to     string
	settle time.Duration
	exts   listFlag
	after  string
	moveTo string
	rescan time.Duration
}

// cmdWatch uploads the files that appear in folders, once each is still,
// until SIGINT or SIGTERM; a line per file queued, uploaded, moved,
// deleted or failed, and per folder in trouble. The folders are saved, so
// a second run (or the window) goes on where this one stopped.
func cmdWatch(args []string, stdout, stderr io.Writer) int {
	sigs, stop := signals()
	defer stop()
	var o watchOpts
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	o.common.register(fs)
	fs.StringVar(&o.to, "to", "", "where to: a tus upload URL (e.g. https://host/files/) or a saved destination's name (default: the default destination)")
	fs.DurationVar(&o.settle, "settle", settings.DefaultSettle, "how long a file's size and mtime must stay the same before it is queued, e.g. 10s")
	fs.Var(&o.exts, "ext", "extensions to upload, comma-separated, e.g. mp4,mov (default: video files: "+strings.Join(settings.VideoExts, ",")+"); * takes every file")
	fs.StringVar(&o.after, "after", string(settings.AfterKeep), "after a file is uploaded: keep it, move it (into --move-to) or delete it (once the server has every byte)")
	fs.StringVar(&o.moveTo, "move-to", settings.DefaultMoveTo, "with --after move: the sub-folder of each watched folder uploaded files go to (never watched)")
	fs.DurationVar(&o.rescan, "rescan", watch.DefaultRescan, "how often each folder is walked whole, to catch what the system's events miss")
	dirs, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry watch --to URL|NAME [--settle DURATION] [--ext LIST] [--after keep|move|delete] [flags] DIR...")
		return exitOK
	}
	var folders []settings.WatchFolder
	if err == nil {
		folders, err = o.folders(dirs)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := o.common.engineOptions(stderr)
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if err != nil {
		return exitCode(err, stderr)
	}
	dest, err := destination(eng, o.to, o.common)
	rcv := newReceivers(stderr)
	defer rcv.stop()
	if err == nil {
		err = rcv.need(eng, dest.Name)
	}
	if err != nil {
		eng.Close()
		return exitCode(err, stderr)
	}
	defer control.Serve(eng)() // ferry queue, pause, … ask this process

	w := watch.New(eng, watch.Options{Rescan: o.rescan})
	sub := w.Subscribe(4096)
	p := &watchPrinter{stdout: stdout, stderr: stderr, json: o.common.json, away: map[string]bool{}}
	for _, f := range folders {
		f.Dest = dest
		saved, err := w.Add(f)
		if err != nil {
			w.Close()
			eng.Close()
			return exitCode(err, stderr)
		}
		p.header(saved, describeDest(dest))
	}
	if !p.json {
		fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	}

	var sig os.Signal
	for sig == nil {
		select {
		case sig = <-sigs:
		case ev := <-sub.C:
			p.event(ev)
		}
		if n := sub.Missed(); n > 0 {
			fmt.Fprintf(stderr, "ferry: %d lines were left out (output too slow); ferry queue lists every job.\n", n)
		}
	}
	left := 0
	for _, s := range w.Status() {
		left += s.Queued
	}
	w.Close()
	for ev := range sub.C { // what happened before the stop
		p.event(ev)
	}
	if err := eng.Close(); err != nil {
		fmt.Fprintf(stderr, "ferry: could not save the queue: %v\n", err)
		return exitFailed
	}
	if left > 0 {
		fmt.Fprintf(stderr, "ferry: stopped; %d upload(s) go on from where they are when ferry watch runs again.\n", left)
	} else {
		fmt.Fprintln(stderr, "ferry: stopped.")
	}
	if sig == syscall.SIGTERM {
		return exitOK // asked to stop, and stopped cleanly (a service manager's way)
	}
	return exitInterrupted
}

// folders checks the command line and makes the folders' settings.
func (o *watchOpts) folders(dirs []string) ([]settings.WatchFolder, error) {
	if isURL(o.to) {
		if err := checkDest(o.to); err != nil {
			return nil, err
		}
	}
	if len(dirs) == 0 {
		return nil, usagef("no folders given: ferry watch --to URL|NAME DIR...")
	}
	after, err := settings.ParseAfter(o.after)
	if err != nil {
		return nil, usagef("--after: %v", err)
	}
	if o.settle <= 0 {
		return nil, usagef("--settle must be more than 0, e.g. 5s")
	}
	if o.rescan <= 0 {
		return nil, usagef("--rescan must be more than 0, e.g. 10m")
	}
	var out []settings.WatchFolder
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, usagef("%s: %v", d, err)
		}
		if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
			return nil, usagef("%s is a file; ferry watch takes folders (ferry upload sends files)", d)
		}
		f, err := settings.WatchFolder{Dir: abs, Settle: o.settle, Exts: o.exts, After: after, MoveTo: o.moveTo}.Normal()
		if err != nil {
			return nil, usagef("%v", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// describeDest names a destination as the header line shows it.
func describeDest(d engine.Destination) string {
	if d.Name != "" {
		return d.Name
	}
	return dest.RedactURL(d.URL)
}

// watchPrinter prints a line per event: what was done on stdout, what
// went wrong on stderr, or JSON lines on stdout.
type watchPrinter struct {
	stdout, stderr io.Writer
	json           bool
	away           map[string]bool // folders said to be missing or failing
}

func (p *watchPrinter) header(f settings.WatchFolder, dest string) {
	if p.json {
		return
	}
	after := string(f.After)
	if f.After == settings.AfterMove {
		after = "move into " + filepath.Join(f.Dir, f.MoveTo)
	}
	exts := "." + strings.Join(f.Exts, " .")
	switch {
	case slices.Equal(f.Exts, settings.VideoExts):
		exts = "video files"
	case len(f.Exts) == 1 && f.Exts[0] == "*":
		exts = "every file"
	}
	fmt.Fprintf(p.stdout, "Watching %s → %s (%s, sent once still for %s; after upload: %s)\n", f.Dir, dest, exts, f.Settle, after)
}

// watchLine is the --json shape of an event about a file: path, state,
// url, size and error always there, as in ferry upload's lines.
type watchLine struct {
	Event string `json:"event"`
	Dir   string `json:"dir"`
	Path  string `json:"path"`
	State string `json:"state"`
	URL   string `json:"url"`
	Size  int64  `json:"size"`
	Error string `json:"error"`
	To    string `json:"to,omitempty"`
	ID    string `json:"id,omitempty"`
}

// afterLine is the --json shape of a file moved or deleted after its
// upload (its "uploaded" line came first).
type afterLine struct {
	Event string `json:"event"`
	Dir   string `json:"dir"`
	Path  string `json:"path"`
	To    string `json:"to,omitempty"`
}

// folderLine is the --json shape of an event about a folder.
type folderLine struct {
	Event  string `json:"event"`
	Dir    string `json:"dir"`
	Path   string `json:"path,omitempty"` // the sub-folder a warning is about
	Error  string `json:"error,omitempty"`
	Files  *int   `json:"files,omitempty"`
	Before *int   `json:"uploaded_before,omitempty"`
}

func (p *watchPrinter) event(ev watch.Event) {
	if p.json {
		var v any
		switch ev.Kind {
		case watch.Started, watch.Scanned, watch.Trouble:
			l := folderLine{Event: ev.Kind.String(), Dir: ev.Dir, Path: ev.Path, Error: ev.Msg}
			if ev.Kind == watch.Scanned {
				l.Files, l.Before = &ev.Count, &ev.Before
			}
			v = l
		case watch.Moved, watch.Deleted:
			v = afterLine{Event: ev.Kind.String(), Dir: ev.Dir, Path: ev.Path, To: ev.To}
		default:
			l := watchLine{Event: ev.Kind.String(), Dir: ev.Dir, Path: ev.Path, State: ev.Job.State.String(),
				URL: ev.Job.UploadURL, Size: ev.Job.Size, Error: ev.Msg, To: ev.To, ID: ev.Job.ID}
			if ev.Kind == watch.Failed {
				l.State = engine.Failed.String() // also when it never became a job
			}
			v = l
		}
		b, _ := json.Marshal(v)
		fmt.Fprintf(p.stdout, "%s\n", b)
		return
	}
	switch ev.Kind {
	case watch.Started:
		if p.away[ev.Dir] {
			fmt.Fprintf(p.stderr, "ferry: %s is back; watching it.\n", ev.Dir)
			delete(p.away, ev.Dir)
		}
	case watch.Scanned:
		fmt.Fprintf(p.stdout, "%s: %d file(s) there, %d uploaded before\n", ev.Dir, ev.Count, ev.Before)
	case watch.Queued:
		fmt.Fprintf(p.stdout, "queued    %s\n", ev.Path)
	case watch.Uploaded:
		fmt.Fprintf(p.stdout, "uploaded  %s  %s\n", ev.Path, ev.Job.UploadURL)
	case watch.Moved:
		fmt.Fprintf(p.stdout, "moved     %s → %s\n", ev.Path, ev.To)
	case watch.Deleted:
		fmt.Fprintf(p.stdout, "deleted   %s\n", ev.Path)
	case watch.Failed:
		fmt.Fprintf(p.stderr, "ferry: failed: %s\n", naming(ev.Path, ev.Msg))
	case watch.Cancelled:
		fmt.Fprintf(p.stderr, "ferry: cancelled: %s (left alone until it changes)\n", ev.Path)
	case watch.Trouble:
		p.away[ev.Dir] = p.away[ev.Dir] || ev.Path == ""
		fmt.Fprintf(p.stderr, "ferry: %s\n", ev.Msg)
	}
}
