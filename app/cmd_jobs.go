package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/control"
	"github.com/ferry-app/ferry/engine/store"
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
// queue itself, and a retry then uploads like ferry resume.
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
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := c.engineOptions(stderr)
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if isLocked(err) {
		return exitCode(handOver(c, op, named, stdout), stderr)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	jobs, err := pick(eng.Snapshot().Jobs, named)
	if err == nil {
		err = cmd.run(eng, ids(jobs)...)
	}
	if err != nil {
		eng.Close()
		return exitCode(err, stderr)
	}
	if op == "retry" {
		defer control.Serve(eng)()
		return follow(eng, ids(jobs), nil, followOpts{json: c.json}, sigs, stdout, stderr)
	}
	for _, j := range jobs {
		fmt.Fprintf(stdout, "%s  %s\n", cmd.done, j.Path)
	}
	return exitCode(eng.Close(), stderr)
}

// handOver asks the Ferry that holds the queue to run a command.
func handOver(c common, op string, named []string, stdout io.Writer) error {
	dir, err := c.resolveDataDir()
	if err != nil {
		return err
	}
	snap, err := control.Snapshot(dir)
	if err != nil {
		return &store.LockedError{Dir: dir}
	}
	jobs, err := pick(snap.Jobs, named)
	if err != nil {
		return err
	}
	if err := control.Do(dir, control.Command{Op: op, IDs: ids(jobs)}); err != nil {
		return err
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
			return nil, usagef("no job in the queue is %s (ferry queue lists the ids and paths)", n)
		}
	}
	return out, nil
}

func ids(jobs []engine.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}
