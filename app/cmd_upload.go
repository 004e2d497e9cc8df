package app

import (
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/engine"
)

func cmdUpload(args []string, stdout, stderr io.Writer) int {
	// From the first moment: a signal while a big folder is still being
	// queued ends the run the same way as one during the uploads.
	sigs, stop := signals()
	defer stop()
	var c common
	var to string
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&to, "to", "", "where to: a tus upload URL (e.g. https://host/files/) or a saved destination's name (default: the default destination)")
	paths, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry upload --to URL|NAME [flags] FILE|DIR...")
		return exitOK
	}
	if err == nil && isURL(to) {
		err = checkDest(to)
	}
	if err == nil && len(paths) == 0 {
		err = usagef("no files given: ferry upload --to URL|NAME FILE|DIR...")
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := c.engineOptions(stderr)
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if err != nil {
		return exitCode(err, stderr)
	}
	dest, err := destination(eng, to, c)
	rcv := newReceivers(stderr)
	defer rcv.stop()
	if err == nil {
		err = rcv.need(eng, dest.Name)
	}
	if err != nil {
		eng.Close()
		return exitCode(err, stderr)
	}
	defer control.Serve(eng)()
	var ids []string
	var bad []failure
	var total int64
	for _, a := range eng.AddMany(paths, dest) {
		if a.Err != nil {
			bad = append(bad, failure{path: a.Path, err: a.Err})
			continue
		}
		ids = append(ids, a.Job.ID)
		total += a.Job.Size
	}
	return follow(eng, ids, bad, followOpts{json: c.json, total: total}, sigs, stdout, stderr)
}

// failure is a path that never became a job.
type failure struct {
	path string
	err  error
}

// signals delivers SIGINT and SIGTERM until stop.
func signals() (<-chan os.Signal, func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	return sigs, func() { signal.Stop(sigs) }
}
