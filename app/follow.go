package app

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ferry-app/ferry/engine"
)

// followOpts shape what follow prints.
type followOpts struct {
	json     bool
	authHint string // said once if a server refused credentials
}

// follow reports on the given jobs until each is done or failed, or until
// SIGINT/SIGTERM, which closes the engine (the jobs stay queued, the server
// keeps what it has) so the next run resumes. It returns the exit code.
func follow(eng *engine.Engine, ids []string, bad []failure, opts followOpts, stdout, stderr io.Writer) int {
	res := newResults(stdout, stderr, opts.json)
	for _, b := range bad {
		res.notQueued(b.path, b.err)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	sub := eng.Subscribe(256)
	defer sub.Close()
	var total int64
	for _, id := range ids {
		j, _ := eng.Job(id)
		total += j.Size
	}
	show := newProgress(stderr, total)
	if bars, ok := show.(*bars); ok {
		// Lines for the terminal go above the bars.
		res.stderr = bars
		if isTerminal(stdout) {
			res.stdout = bars
		}
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()

	pending := map[string]bool{}
	for _, id := range ids {
		pending[id] = true
	}
	interrupted := false
	for len(pending) > 0 && !interrupted {
		select {
		case <-sigs:
			interrupted = true
			continue
		case <-sub.C:
		case <-tick.C:
		}
		var active []engine.Job
		for _, id := range ids {
			if !pending[id] {
				continue
			}
			j, ok := eng.Job(id)
			if !ok || j.State.Terminal() || j.State == engine.Paused {
				delete(pending, id)
				show.finished(j)
				res.finished(j)
				continue
			}
			active = append(active, j)
		}
		show.update(active)
	}
	if err := eng.Close(); err != nil {
		fmt.Fprintf(stderr, "ferry: could not save the queue: %v\n", err)
	}
	show.close()
	if interrupted {
		fmt.Fprintf(stderr, "ferry: stopped; %d upload(s) will go on from where they are: run the same command again, or ferry resume.\n", len(pending))
		return exitInterrupted
	}
	if res.authFailed && opts.authHint != "" {
		fmt.Fprintf(stderr, "ferry: %s\n", opts.authHint)
	}
	if res.failed > 0 {
		return exitFailed
	}
	return exitOK
}
