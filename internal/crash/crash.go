// Package crash leaves a report in the data dir when Ferry dies of a
// panic or a fatal error, and has the next start say so.
//
// No panic can be recovered for the whole process (one in any goroutine
// ends it), so Ferry does not try: every run that holds the data dir
// hands the runtime a file of its own (runtime/debug.SetCrashOutput),
// crash/run-*.raw, which it holds locked while it lives. The runtime
// writes there only when the process is dying. A later start finds the
// raw files whose process is gone: an empty one (a clean exit the file
// survived, a kill) is removed; one with crash output becomes
// crash/crash-YYYYMMDD-HHMMSS.txt, with its secrets redacted, and one
// sentence says where it is.
package crash

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// SubDir is the folder in the data dir that holds raw crash output and
// reports.
const SubDir = "crash"

// Keep is how many reports are kept; older ones are removed.
const Keep = 10

// maxOutput is as much crash output as a report keeps.
const maxOutput = 1 << 20

// Options say what a run is, for the report of its crash.
type Options struct {
	// Version is Ferry's version; the build's commit is added to it.
	Version string
	// Command is the command that runs ("window", "upload"…): a word
	// only, never its arguments (they can hold tokens).
	Command string
	// RedactURL replaces a URL's secrets (dest.RedactURL); the
	// report's own rules apply after it, and alone when it is nil.
	RedactURL func(string) string
}

// Run is this process's crash output, armed by Start.
type Run struct {
	f    *os.File
	path string
}

// Start is the first thing a run that holds the data dir does: the
// crash output of earlier runs becomes reports, which the notes name
// (one sentence), then this process's crash output goes to a file of its
// own until Stop. Nothing here fails a start: a run that cannot write
// the crash folder runs without, and a report that cannot be written is
// a note that says so.
func Start(dataDir string, o Options) (*Run, []string) {
	if !supported {
		return &Run{}, nil
	}
	dir := filepath.Join(dataDir, SubDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &Run{}, nil
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return &Run{}, nil
	}
	defer unlock()
	r, _ := arm(dir, o) // a run without crash output still runs
	return r, collect(dir, r.path, o)
}

// Collect turns the crash output of runs that ended into reports, and
// says so; it is Start without arming this process (tests, tools).
func Collect(dataDir string, o Options) []string {
	if !supported {
		return nil
	}
	dir := filepath.Join(dataDir, SubDir)
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil
	}
	defer unlock()
	return collect(dir, "", o)
}

// Stop ends a clean run: the runtime writes no more crash output here,
// and this run's file goes. Call it when the run returns, never in a
// defer: deferred calls run while a panic unwinds, before the runtime
// writes the crash.
func (r *Run) Stop() {
	if r == nil || r.f == nil {
		return
	}
	debug.SetCrashOutput(nil, debug.CrashOptions{})
	unlockFile(r.f)
	r.f.Close()
	os.Remove(r.path)
	r.f = nil
}

// Path is the file the runtime writes this run's crash to ("" if none).
func (r *Run) Path() string {
	if r == nil {
		return ""
	}
	return r.path
}

// headerEnd ends what a run writes first in its raw file; anything after
// it is the runtime's crash output.
const headerEnd = "---\n"

// arm creates this run's raw file, locked, with what a report needs to
// say about the run, and points the runtime's crash output at it. The
// caller holds the folder's lock, so no other start removes the file
// between its creation and its lock.
func arm(dir string, o Options) (*Run, error) {
	f, err := os.CreateTemp(dir, "run-*.raw")
	if err != nil {
		return &Run{}, err
	}
	fail := func(err error) (*Run, error) {
		f.Close()
		os.Remove(f.Name())
		return &Run{}, err
	}
	if ok, err := tryLock(f); !ok || err != nil {
		return fail(errors.Join(errors.New("cannot lock "+f.Name()), err))
	}
	h := header{
		Version: versionString(o.Version),
		Build:   buildString(),
		Command: o.Command,
		Started: time.Now().Format(time.RFC3339),
		PID:     fmt.Sprint(os.Getpid()),
		System:  systemString(),
		Go:      goVersion(),
	}
	if _, err := io.WriteString(f, h.String()+headerEnd); err != nil {
		return fail(err)
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		return fail(err)
	}
	return &Run{f: f, path: f.Name()}, nil
}

// outcome is what became of one crash's output.
type outcome struct {
	when   time.Time
	report string // the report's path, or
	err    error  // why it could not be written
}

// collect handles the raw files of runs that ended (their lock is free),
// all but own; the caller holds the folder's lock.
func collect(dir, own string, o Options) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var outs []outcome
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if !strings.HasPrefix(name, "run-") || !strings.HasSuffix(name, ".raw") || path == own {
			continue
		}
		if out, ok := collectOne(dir, path, o); ok {
			outs = append(outs, out)
		}
	}
	if len(outs) > 0 {
		prune(dir)
	}
	return sentences(dir, outs)
}

// collectOne reports one raw file if its run ended with crash output,
// and removes it; ok is false when it held no crash, or its run lives.
func collectOne(dir, path string, o Options) (out outcome, ok bool) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return out, false
	}
	if locked, err := tryLock(f); !locked || err != nil {
		f.Close()
		return out, false // its run is alive
	}
	keep := true
	if fi, err := f.Stat(); err == nil {
		if data, err := io.ReadAll(io.LimitReader(f, maxOutput+64<<10)); err == nil {
			h, body, crashed := parseRaw(data)
			if crashed {
				out = outcome{when: fi.ModTime()}
				out.report, out.err = writeReport(dir, out.when, h, body, fi.Size()-int64(len(data)), o)
				ok = true
			}
			keep = out.err != nil // to try again at the next start
		}
	}
	if !keep {
		f.Truncate(0) // nothing left to report, even if it cannot go
	}
	unlockFile(f)
	f.Close() // before the removal: Windows removes no open file
	if !keep {
		os.Remove(path)
	}
	return out, ok
}

// writeReport writes a crash's report, named for when it happened.
func writeReport(dir string, when time.Time, h header, body []byte, cut int64, o Options) (string, error) {
	text := reportText(when, h, body, cut)
	text = redactWith(text, o.RedactURL)
	stem := "crash-" + when.Format("20060102-150405")
	for i := 1; ; i++ {
		name := stem + ".txt"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.txt", stem, i)
		}
		path := filepath.Join(dir, name)
		f, err := openReport(path)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = io.WriteString(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
}

// openReport creates a report's file (a test makes it fail).
var openReport = createReport

func createReport(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// prune keeps the newest Keep reports.
func prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var stems []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "crash-") && strings.HasSuffix(n, ".txt") {
			stems = append(stems, strings.TrimSuffix(n, ".txt"))
		}
	}
	slices.Sort(stems) // by time: crash-YYYYMMDD-HHMMSS[-N]
	for len(stems) > Keep {
		os.Remove(filepath.Join(dir, stems[0]+".txt"))
		stems = stems[1:]
	}
}

// sentences say what the start found, in one sentence (two when some
// reports were written and others could not be).
func sentences(dir string, outs []outcome) []string {
	var written, failed []outcome
	for _, o := range outs {
		if o.err != nil {
			failed = append(failed, o)
		} else {
			written = append(written, o)
		}
	}
	last := func(outs []outcome) outcome {
		return slices.MaxFunc(outs, func(a, b outcome) int { return a.when.Compare(b.when) })
	}
	var notes []string
	switch n := len(written); {
	case n == 1:
		notes = append(notes, fmt.Sprintf("Ferry stopped unexpectedly %s; a report is in %s — attach it to a bug report if you file one.",
			when(written[0].when), written[0].report))
	case n > 1:
		l := last(written)
		notes = append(notes, fmt.Sprintf("Ferry stopped unexpectedly %d times, the last %s; its report is in %s, the others beside it — attach them to a bug report if you file one.",
			n, when(l.when), l.report))
	}
	switch n := len(failed); {
	case n == 1:
		notes = append(notes, fmt.Sprintf("Ferry stopped unexpectedly %s, and its report could not be written in %s (%s); Ferry tries again at the next start.",
			when(failed[0].when), dir, reason(failed[0].err)))
	case n > 1:
		l := last(failed)
		notes = append(notes, fmt.Sprintf("Ferry stopped unexpectedly %d times, the last %s, and the reports could not be written in %s (%s); Ferry tries again at the next start.",
			n, when(l.when), dir, reason(l.err)))
	}
	return notes
}

// when is "on 7 Dec at 14:02" (with the year when it is not this one).
func when(t time.Time) string {
	t = t.Local()
	if t.Year() != time.Now().Year() {
		return t.Format("on 2 Jan 2006 at 15:04")
	}
	return t.Format("on 2 Jan at 15:04")
}

// reason is an error without the path the sentence already names.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
