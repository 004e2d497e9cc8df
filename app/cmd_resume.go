package app

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ferry-app/ferry/engine"
)

// cmdResume finishes every unfinished job in the queue: interrupted,
// paused and failed ones (a failure may have been fixed since, e.g. a
// token given again with --header).
func cmdResume(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	c.register(fs)
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry resume [flags]")
		return exitOK
	}
	if err == nil && len(rest) > 0 {
		err = usagef("resume takes no files (it finishes the queue); to add files use ferry upload")
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
	var ids []string
	for _, j := range eng.Snapshot() {
		switch j.State {
		case engine.Failed:
			err = eng.Retry(j.ID)
		case engine.Paused:
			err = eng.Resume(j.ID)
		case engine.Queued:
		default:
			continue
		}
		if err != nil {
			fmt.Fprintf(stderr, "ferry: %s: %v\n", j.Path, err)
			continue
		}
		ids = append(ids, j.ID)
	}
	if len(ids) == 0 {
		fmt.Fprintln(stderr, "ferry: nothing to resume; every job in the queue is done or cancelled.")
		eng.Close()
		return exitOK
	}
	eng.Start()
	return follow(eng, ids, nil, c.json, stdout, stderr)
}
