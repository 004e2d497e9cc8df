package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-app/ferry/engine"
)

// cmdResume finishes every unfinished job in the queue: interrupted,
// paused and failed ones (a failure may have been fixed since, e.g. a
// token given again with --header).
func cmdResume(args []string, stdout, stderr io.Writer) int {
	var c common
	var to string
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&to, "to", "", "resume only the jobs going to this upload URL (the one --header is for)")
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry resume [--to URL] [flags]")
		return exitOK
	}
	if err == nil && len(rest) > 0 {
		err = usagef("resume takes no files (it finishes the queue); to add files use ferry upload")
	}
	if err == nil && to != "" {
		err = checkDest(to)
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := c.engineOptions()
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if err != nil {
		return exitCode(err, stderr)
	}
	var todo []engine.Job
	dests := map[string]bool{}
	for _, j := range eng.Snapshot() {
		if (j.State.Active() || j.State == engine.Paused || j.State == engine.Failed) && (to == "" || engine.DestKey(j.Dest.URL) == engine.DestKey(to)) {
			todo = append(todo, j)
			dests[engine.DestKey(j.Dest.URL)] = true
		}
	}
	if len(todo) == 0 {
		eng.Close()
		fmt.Fprintln(stderr, "ferry: nothing to resume; every job in the queue is done or cancelled.")
		return exitOK
	}
	// Headers carry secrets, which must go only where they belong.
	if len(c.headers) > 0 {
		if len(dests) > 1 {
			eng.Close()
			names := slices.Sorted(maps.Keys(dests))
			return exitCode(usagef("the queue has unfinished jobs for %d destinations (%s); add --to URL to say which one --header is for", len(dests), strings.Join(names, ", ")), stderr)
		}
		eng.SetHeaders(todo[0].Dest.URL, c.headers.header())
	}
	var ids []string
	for _, j := range todo {
		switch j.State {
		case engine.Failed:
			err = eng.Retry(j.ID)
		default:
			err = eng.Resume(j.ID)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ferry: %s: %v\n", j.Path, err)
			continue
		}
		ids = append(ids, j.ID)
	}
	return follow(eng, ids, nil, followOpts{json: c.json, authHint: "Tokens are not kept with the queue: give them again, e.g. ferry resume --header \"Authorization: Bearer …\"."}, stdout, stderr)
}
