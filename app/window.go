package app

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// windowArgs are the window's command line: ferry [flags] [FILE|DIR...].
type windowArgs struct {
	c     common
	to    string
	paths []string // absolute
}

func parseWindowArgs(args []string, stdout io.Writer) (windowArgs, error) {
	var a windowArgs
	fs := flag.NewFlagSet("ferry", flag.ContinueOnError)
	fs.StringVar(&a.c.dataDir, "data-dir", "", "where the queue lives (default $FERRY_DATA_DIR, else Ferry's folder in the user config dir: ~/.config/ferry, %APPDATA%\\Ferry, ~/Library/Application Support/Ferry)")
	fs.StringVar(&a.to, "to", "", "where files go this run: a tus upload URL or a saved destination (default: the window's choice)")
	fs.IntVar(&a.c.concurrency, "concurrency", 0, "uploads at once, this run (default: the window's setting)")
	a.c.limitRate = -1
	fs.Var(&a.c.limitRate, "limit-rate", "cap on upload speed this run, e.g. 2MB (per second); 0 = none (default: the window's setting)")
	rest, err := parse(fs, args)
	if err == flag.ErrHelp {
		helpFor(fs, stdout, "ferry [--data-dir DIR] [--to URL|NAME] [--concurrency N] [--limit-rate RATE] [FILE|DIR...]   open the window")
		return a, err
	}
	if err != nil {
		return a, err
	}
	if a.c.concurrency < 0 {
		return a, usagef("--concurrency must be at least 1")
	}
	for _, p := range rest {
		abs, err := filepath.Abs(p)
		if err != nil {
			return a, usagef("%s: %v", p, err)
		}
		a.paths = append(a.paths, abs)
	}
	return a, nil
}

// builtinName is the first start's destination: Ferry's own receiver, so
// a new user drops a file and sees it arrive with no account.
const builtinName = "this-computer"

// firstStart gives a queue with no destinations the built-in receiver on
// loopback, into ~/Ferry/Received, as its default.
func firstStart(eng *engine.Engine) error {
	if len(eng.Destinations()) > 0 {
		if eng.DefaultDestination() == "" {
			return eng.SetDefaultDestination(eng.Destinations()[0].Name)
		}
		return nil
	}
	d, err := builtinDest(engine.Destination{Name: builtinName, Kind: dest.KindBuiltin}, "")
	if err != nil {
		return err
	}
	if err := eng.SaveDestination(d, nil); err != nil {
		return &fault.Error{Kind: fault.Permanent, Code: fault.CodeOf(err), Err: err,
			Msg: fmt.Sprintf("Cannot save the first destination (%s).", fault.Cause(err))}
	}
	return eng.SetDefaultDestination(builtinName)
}
