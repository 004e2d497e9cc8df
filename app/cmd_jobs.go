package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
)

// jobCommands are the engine's commands on queued jobs, by id or path.
var jobCommands = map[string]struct {
	run  func(*engine.Engine, ...string) error
	what string // for the help line
	done string // said of each job afterwards
}{
	"pause":  {(*engine.Engine).Pause, "stop jobs; the server keeps what it has", "paused"},
	"cancel": {(*engine.Engine).Cancel, "stop jobs for good and delete their uploads on the server", "cancelled"},
	"retry":  {(*engine.Engine).Retry, "queue failed or cancelled jobs again and upload them", "queued again"},
	"remove": {(*engine.Engine).Remove, "take jobs off the queue (cancelling unfinished ones)", "removed"},
}

// cmdJob runs a job command. With another Ferry holding the queue (an
// upload, a watch, the window), it asks that one; otherwise it changes the
// queue itself, and a retry then uploads like ferry resume. With --json a
// refusal is a line with its code too, and each job's line says its state
// after the command.
func cmdJob(op string, args []string, stdout, stderr io.Writer) int {
	sigs, stop := signals()
	defer stop()
	cmd := jobCommands[op]
	var c common
	fs := flag.NewFlagSet(op, flag.ContinueOnError)
	c.register(fs)
	named, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, fmt.Sprintf("ferry %s [--data-dir DIR] ID|PATH...   %s", op, cmd.what))
		return exitOK
	}
	if err == nil && len(named) == 0 {
		err = usagef("ferry %s needs the jobs: their ids (ferry queue lists them), files or folders", op)
	}
	res := newResults(stdout, stderr, c.json)
	if err != nil {
		return res.refused(err)
	}
	opts, err := c.engineOptions(stderr)
	if err != nil {
		return res.refused(err)
	}
	eng, err := engine.Open(opts)
	if isLocked(err) {
		if err := handOver(c, op, named, stdout); err != nil {
			return res.refused(err)
		}
		return exitOK
	}
	if err != nil {
		return res.refused(err)
	}
	jobs, err := pick(eng.Snapshot().Jobs, named)
	if err == nil {
		err = cmd.run(eng, ids(jobs)...)
	}
	if err != nil {
		eng.Close()
		return res.refused(err)
	}
	if op == "retry" {
		defer control.Serve(eng)()
		var total int64
		for _, j := range jobs {
			total += j.Size
		}
		return follow(eng, ids(jobs), nil, followOpts{json: c.json, total: total}, sigs, stdout, stderr)
	}
	// Closing lets a cancel's deletions run (briefly): an upload its
	// server holds whole is kept, and its job ends done.
	cerr := eng.Close()
	for _, j := range jobs {
		now, ok := eng.Job(j.ID)
		switch {
		case c.json:
			res.after(j, now, ok)
		case op == "cancel" && ok && now.State == engine.Done:
			fmt.Fprintf(stdout, "arrived  %s  %s  (it had arrived whole before the cancel; the upload is kept)\n", now.Path, resultOf(now))
		default:
			fmt.Fprintf(stdout, "%s  %s\n", cmd.done, j.Path)
		}
	}
	if cerr != nil {
		return res.refused(cerr)
	}
	return exitOK
}

// handOver asks the Ferry that holds the queue to run a command.
func handOver(c common, op string, named []string, stdout io.Writer) error {
	dir, err := c.resolveDataDir()
	if err != nil {
		return err
	}
	snap, err := control.Snapshot(dir)
	if err != nil {
		return store.Locked(dir)
	}
	jobs, err := pick(snap.Jobs, named)
	if err != nil {
		return err
	}
	if err := control.Do(dir, control.Command{Op: op, IDs: ids(jobs)}); err != nil {
		return err
	}
	if c.json {
		res := newResults(stdout, io.Discard, true)
		now := map[string]engine.Job{}
		if snap, err := control.Snapshot(dir); err == nil {
			for _, j := range snap.Jobs {
				now[j.ID] = j
			}
		}
		for _, j := range jobs {
			after, ok := now[j.ID]
			res.after(j, after, ok)
		}
		return nil
	}
	for _, j := range jobs {
		fmt.Fprintf(stdout, "%s (by the running Ferry)  %s\n", op, j.Path)
	}
	return nil
}

func isLocked(err error) bool {
	var locked *store.LockedError
	return errors.As(err, &locked)
}

// pick finds the jobs a user named: an id, a file's path, or a folder
// (every job under it). A name that matches nothing is an error, so a
// typo never passes for success.
func pick(jobs []engine.Job, named []string) ([]engine.Job, error) {
	var out []engine.Job
	seen := map[string]bool{}
	for _, n := range named {
		found := false
		abs, _ := filepath.Abs(n)
		fi, statErr := os.Stat(n)
		dir := statErr == nil && fi.IsDir()
		for _, j := range jobs {
			match := j.ID == n || j.Path == abs || (dir && strings.HasPrefix(j.Path, abs+string(filepath.Separator)))
			if match && !seen[j.ID] {
				seen[j.ID] = true
				out = append(out, j)
			}
			found = found || match
		}
		if !found {
			return nil, noJob(n)
		}
	}
	return out, nil
}

// noJob is a name that matches no job: a usage error (exit 2) whose code
// a program can tell.
func noJob(name string) error {
	msg := fmt.Sprintf("no job in the queue is %s (ferry queue lists the ids and paths)", name)
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeNoJob, Msg: msg, Err: errUsage{msg}}
}

func ids(jobs []engine.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}
