package app

import (
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/control"
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
	fs.StringVar(&to, "to", "", "tus upload URL (creation endpoint), e.g. https://host/files/")
	paths, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry upload --to URL [flags] FILE|DIR...")
		return exitOK
	}
	if err == nil {
		err = checkDest(to)
	}
	if err == nil && len(paths) == 0 {
		err = usagef("no files given: ferry upload --to URL FILE|DIR...")
	}
	dest := engine.Destination{URL: to, Header: c.headers.header(), Meta: c.meta, ChunkSize: int64(c.chunkSize)}
	if err == nil {
		if derr := engine.CheckDestination(dest); derr != nil {
			err = usagef("%v", derr)
		}
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
	defer control.Serve(eng)()
	var ids []string
	var bad []failure
	for _, a := range eng.AddMany(paths, dest) {
		if a.Err != nil {
			bad = append(bad, failure{path: a.Path, err: a.Err})
			continue
		}
		ids = append(ids, a.Job.ID)
	}
	return follow(eng, ids, bad, followOpts{json: c.json}, sigs, stdout, stderr)
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
