package app

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/ferry-app/ferry/engine"
)

// queueLine is the --json shape of a job in the queue.
type queueLine struct {
	ID       string  `json:"id"`
	State    string  `json:"state"`
	Path     string  `json:"path"`
	Size     int64   `json:"size"`
	Offset   int64   `json:"offset"`
	Progress float64 `json:"progress"`
	URL      string  `json:"url"`
	MediaID  string  `json:"media_id,omitempty"`
	Dest     string  `json:"destination"`
	Error    string  `json:"error,omitempty"`
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
	opts, err := c.engineOptions()
	if err != nil {
		return err
	}
	eng, err := engine.Open(opts)
	if err != nil {
		return err
	}
	jobs := eng.Snapshot()
	if err := eng.Close(); err != nil {
		return err
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		for _, j := range jobs {
			enc.Encode(queueLine{ID: j.ID, State: j.State.String(), Path: j.Path, Size: j.Size, Offset: j.Offset,
				Progress: j.Progress(), URL: j.UploadURL, MediaID: j.MediaID, Dest: j.Dest.URL, Error: j.Error})
		}
		return nil
	}
	if len(jobs) == 0 {
		fmt.Fprintln(stdout, "The queue is empty.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tPROGRESS\tSIZE\tPATH\tURL")
	for _, j := range jobs {
		url := j.UploadURL
		if j.Error != "" {
			url = j.Error
		}
		fmt.Fprintf(tw, "%s\t%.0f%%\t%s\t%s\t%s\n", j.State, 100*j.Progress(), humanize.IBytes(uint64(j.Size)), j.Path, url)
	}
	return tw.Flush()
}
