package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/engine"
)

// cmdResume finishes unfinished jobs: every one in the queue (interrupted,
// paused and failed ones: a failure may have been fixed since, e.g. a
// token given again with --header), or the ones named by id or path.
func cmdResume(args []string, stdout, stderr io.Writer) int {
	sigs, stop := signals()
	defer stop()
	var c common
	var to string
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&to, "to", "", "resume only the jobs going to this upload URL (the one --header is for)")
	named, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry resume [--to URL] [flags] [ID|PATH...]")
		return exitOK
	}
	if err == nil && isURL(to) {
		err = checkDest(to)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := c.engineOptions(stderr)
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if len(named) > 0 && isLocked(err) {
		// Another Ferry holds the queue: it resumes them.
		return exitCode(handOver(c, "resume", named, stdout), stderr)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	defer control.Serve(eng)()
	snap := eng.Snapshot()
	candidates := snap.Jobs
	if len(named) > 0 {
		if candidates, err = pick(snap.Jobs, named); err != nil {
			eng.Close()
			return exitCode(err, stderr)
		}
	}
	toKey := engine.Destination{URL: to}.Key()
	if to != "" && !isURL(to) {
		toKey = engine.Destination{Name: to}.Key()
	}
	var todo []engine.Job
	dests := map[string]bool{}
	rcv := newReceivers(stderr)
	defer rcv.stop()
	for _, j := range candidates {
		if (j.State.Active() || j.State == engine.Paused || j.State == engine.Failed) && (to == "" || j.Dest.Key() == toKey) {
			todo = append(todo, j)
			dests[j.Dest.Key()] = true
			if err := rcv.need(eng, j.Dest.Name); err != nil {
				fmt.Fprintf(stderr, "ferry: %v\n", err)
			}
		}
	}
	if len(todo) == 0 {
		eng.Close()
		fmt.Fprintln(stderr, "ferry: nothing to resume; every job in the queue is done or cancelled.")
		return exitOK
	}
	// Headers carry secrets, which must go only where they belong.
	if len(c.headers) > 0 || to != "" {
		if len(dests) > 1 {
			eng.Close()
			names := slices.Sorted(maps.Keys(dests))
			return exitCode(usagef("the queue has unfinished jobs for %d destinations (%s); add --to URL to say which one --header is for", len(dests), strings.Join(names, ", ")), stderr)
		}
		if name := todo[0].Dest.Name; name != "" {
			if len(c.headers) > 0 {
				eng.Close()
				return exitCode(usagef("%s is a saved destination: its headers come from it (ferry dest add %s ... --header to change them), not from --header", name, name), stderr)
			}
		} else {
			dest := todo[0].Dest.URL
			if to != "" {
				dest = to // it may carry user-info the queue does not keep
			}
			eng.SetHeaders(dest, c.headers.header())
		}
	}
	var failed, other, ids []string
	var total int64
	for _, j := range todo {
		total += j.Size
		if j.State == engine.Failed {
			failed = append(failed, j.ID)
		} else {
			other = append(other, j.ID)
		}
		ids = append(ids, j.ID)
	}
	if err := eng.Retry(failed...); err != nil {
		fmt.Fprintf(stderr, "ferry: %v\n", err)
	}
	if err := eng.Resume(other...); err != nil {
		fmt.Fprintf(stderr, "ferry: %v\n", err)
	}
	return follow(eng, ids, nil, followOpts{json: c.json, total: total, authHint: "Tokens are not kept with the queue: give them again, e.g. ferry resume --header \"Authorization: Bearer …\"."}, sigs, stdout, stderr)
}
