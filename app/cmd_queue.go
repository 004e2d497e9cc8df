package app

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ferry-app/ferry/control"
	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
)

// queueLine is the --json shape of a job in the queue.
type queueLine struct {
	ID        string     `json:"id"`
	State     string     `json:"state"`
	Path      string     `json:"path"`
	Size      int64      `json:"size"`
	Offset    int64      `json:"offset"`
	Progress  float64    `json:"progress"`
	URL       string     `json:"url"`
	MediaID   string     `json:"media_id,omitempty"`
	Dest      string     `json:"destination"`
	Link      string     `json:"link,omitempty"`
	Error     string     `json:"error,omitempty"`
	ErrorCode fault.Code `json:"error_code,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
}

func cmdQueue(args []string, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	c.register(fs)
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry queue [--data-dir DIR] [--json]")
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("queue takes no arguments")
	}
	snap, err := c.snapshot()
	if err != nil {
		return err
	}
	jobs := snap.Jobs
	if c.json {
		enc := json.NewEncoder(stdout)
		for _, j := range jobs {
			enc.Encode(queueLine{ID: j.ID, State: j.State.String(), Path: j.Path, Size: j.Size, Offset: j.Offset,
				Progress: j.Progress(), URL: dest.RedactURL(j.UploadURL), MediaID: j.MediaID, Dest: destName(j.Dest), Link: j.Link, Error: j.Error,
				ErrorCode: j.ErrorCode, Reason: j.Reason, Notes: j.Notes})
		}
		return nil
	}
	if snap.Halted != nil {
		fmt.Fprintf(stdout, "The queue is halted: %s\n\n", snap.Halted.Msg)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(stdout, "The queue is empty.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tPROGRESS\tSIZE\tPATH\tURL")
	for _, j := range jobs {
		url := dest.RedactURL(j.UploadURL)
		switch {
		case j.Error != "":
			url = j.Error
		case j.State == engine.Waiting && j.Reason != "":
			url = j.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f%%\t%s\t%s\t%s\n", j.ID, j.State, 100*j.Progress(), units.Size(j.Size), j.Path, url)
		for _, n := range j.Notes {
			fmt.Fprintf(tw, "\t\t\t\t  %s\t\n", strings.TrimSpace(n))
		}
	}
	return tw.Flush()
}

// snapshot is the queue: read from the database, or asked of the Ferry
// that holds it.
func (c *common) snapshot() (engine.Snapshot, error) {
	opts, err := c.engineOptions(io.Discard)
	if err != nil {
		return engine.Snapshot{}, err
	}
	eng, err := engine.Open(opts)
	var locked *store.LockedError
	if errors.As(err, &locked) {
		if snap, cerr := control.Snapshot(opts.DataDir); cerr == nil {
			return snap, nil
		}
		return engine.Snapshot{}, err
	}
	if err != nil {
		return engine.Snapshot{}, err
	}
	snap := eng.Snapshot()
	return snap, eng.Close()
}

// destName names a job's destination: a saved one by name, else its URL
// without its secrets. A snapshot has them out already (Job.view); a
// snapshot from an older running Ferry, with narrower rules, may not.
func destName(d engine.Destination) string {
	if d.Name != "" {
		return d.Name
	}
	return dest.RedactURL(d.URL)
}
