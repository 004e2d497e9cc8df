package app

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ferry-app/ferry/engine"
)

// followOpts shape what follow prints.
type followOpts struct {
	json     bool
	authHint string // said once if a server refused credentials
	total    int64  // bytes of the files followed, for the total bar
}

// follow reports on the given jobs until each is done or failed, or until
// a signal arrives on sigs, which closes the engine (the jobs stay queued,
// the server keeps what it has) so the next run resumes. It returns the
// exit code. It works from events: each costs O(1), and a tick looks only
// at the jobs being sent, so 10 000 queued files cost no more per tick
// than three.
func follow(eng *engine.Engine, ids []string, bad []failure, opts followOpts, sigs <-chan os.Signal, stdout, stderr io.Writer) int {
	res := newResults(stdout, stderr, opts.json)
	for _, b := range bad {
		res.notQueued(b.path, b.err)
	}
	// Only the ids not yet reported and a copy of the jobs being sent are
	// kept: 100 000 queued files cost a set of ids, not 100 000 copies.
	sub := eng.Subscribe(engine.AllEvents, 4096)
	defer sub.Close()
	var seq uint64 // events up to it are reflected in what follow read
	pending := make(map[string]bool, len(ids))
	for _, id := range ids {
		pending[id] = true
	}
	show := newProgress(stderr, opts.total)
	if bars, ok := show.(*bars); ok {
		// Lines for the terminal go above the bars.
		res.stderr = bars
		if isTerminal(stdout) {
			res.stdout = bars
		}
	}
	active := map[string]engine.Job{} // pending jobs being sent or waiting to be
	see := func(j engine.Job) {
		if !pending[j.ID] {
			return
		}
		if j.State == engine.Cancelled && j.Deleting {
			// Its server may hold it whole, and then it is done: wait
			// for the deletion's word.
			delete(active, j.ID)
			return
		}
		if j.State.Terminal() || j.State == engine.Paused {
			delete(pending, j.ID)
			delete(active, j.ID)
			show.finished(j)
			res.finished(j)
			return
		}
		if j.State == engine.Uploading || j.State == engine.Waiting {
			active[j.ID] = j
		} else {
			delete(active, j.ID)
		}
	}
	// seeAll reads the followed jobs afresh: at the start, and after the
	// subscription missed an event. Events up to seq are then stale.
	totals := eng.Totals()
	seeAll := func() {
		seq, totals = eng.Seq(), eng.Totals()
		for _, id := range ids { // in add order: "already uploaded" lines read in order
			if !pending[id] {
				continue
			}
			if j, ok := eng.Job(id); ok {
				see(j)
			} else {
				delete(pending, id) // removed by someone else
				delete(active, id)
			}
		}
	}
	seeAll()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	interrupted := false
	for len(pending) > 0 && !interrupted {
		select {
		case <-sigs:
			interrupted = true
			continue
		case ev := <-sub.C:
			if sub.Missed() > 0 {
				seeAll()
			}
			if ev.Seq <= seq {
				continue
			}
			seq = ev.Seq
			switch ev.Type {
			case engine.TotalsChanged:
				totals = ev.Totals
			case engine.QueueHalted:
				fmt.Fprintf(res.stderr, "ferry: %s\n", ev.Err.Msg)
			case engine.QueueResumed:
				fmt.Fprintln(res.stderr, "ferry: the queue can be written again; going on.")
			case engine.JobRemoved:
				if pending[ev.Job.ID] {
					delete(pending, ev.Job.ID)
					delete(active, ev.Job.ID)
					res.removed(ev.Job)
				}
			default:
				see(ev.Job)
			}
		case <-tick.C:
			if sub.Missed() > 0 {
				seeAll()
			}
			shown := make([]engine.Job, 0, len(active))
			for _, j := range active {
				shown = append(shown, j)
			}
			show.update(shown, totals)
		}
	}
	res.close()
	if err := eng.Close(); err != nil {
		fmt.Fprintf(res.stderr, "ferry: could not save the queue: %v\n", err)
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
