package app

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/receiver"
)

// isURL: --to gave a URL (or meant to), not a saved destination's name
// (names have neither ':' nor '/').
func isURL(to string) bool { return strings.ContainsAny(to, ":/") }

// destination turns --to into a destination: a URL for this run (with the
// run's --header, --meta and --chunk-size), a saved destination by name,
// or, with no --to, the default one.
func destination(eng *engine.Engine, to string, c common) (engine.Destination, error) {
	if isURL(to) {
		d := engine.Destination{URL: to, Header: c.headers.header(), Meta: c.meta, ChunkSize: int64(c.chunkSize)}
		if err := d.Check(); err != nil {
			return d, usagef("--to: %v", err)
		}
		return d, nil
	}
	if to == "" {
		if to = eng.DefaultDestination(); to == "" {
			return engine.Destination{}, usagef("--to is required: a tus upload URL (e.g. --to http://127.0.0.1:1080/files/) or a saved destination (ferry dest add)")
		}
	}
	d, ok := eng.SavedDestination(to)
	if !ok {
		return d, usagef("--to %s is neither a URL nor a saved destination; ferry dest list shows them", to)
	}
	if len(c.headers) > 0 || len(c.meta) > 0 || c.chunkSize != 0 {
		return d, usagef("--header, --meta and --chunk-size go with a URL; %s keeps its own (ferry dest add %s ... to change them)", to, to)
	}
	return engine.Destination{Name: d.Name}, nil
}

// receivers runs the built-in receivers that saved destinations among
// names need, in this process, until stop.
type receivers struct {
	running map[string]*receiver.Server
	log     io.Writer
}

func newReceivers(log io.Writer) *receivers {
	return &receivers{running: map[string]*receiver.Server{}, log: log}
}

// need starts the receiver of a builtin destination, once.
func (r *receivers) need(eng *engine.Engine, name string) error {
	d, ok := eng.SavedDestination(name)
	if !ok || !d.Provider().Served || r.running[name] != nil {
		return nil
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		return err
	}
	srv, err := receiver.New(receiver.Config{Dir: d.Dir, Listen: u.Host, Logf: func(format string, args ...any) {
		fmt.Fprintf(r.log, "ferry: receiver %s: %s\n", name, fmt.Sprintf(format, args...))
	}})
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		return &fault.Error{Kind: fault.Permanent, Code: fault.CodeOf(err), Err: err,
			Msg: fmt.Sprintf("Cannot start the built-in receiver of %s (%s).", name, fault.Cause(err))}
	}
	r.running[name] = srv
	return nil
}

func (r *receivers) stop() {
	for _, srv := range r.running {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
}
