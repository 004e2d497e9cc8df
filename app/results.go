package app

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// results prints one line per finished file on stdout (plain or JSON) and
// names every failure, with its path, on stderr.
type results struct {
	stdout, stderr io.Writer
	json           bool
	failed         int
	storeFailed    int  // files not queued because the queue could not be written
	authFailed     bool // a server refused the credentials
}

func newResults(stdout, stderr io.Writer, asJSON bool) *results {
	return &results{stdout: stdout, stderr: stderr, json: asJSON}
}

// resultLine is the --json shape of a finished or failed file.
type resultLine struct {
	Path      string     `json:"path"`
	State     string     `json:"state"`
	URL       string     `json:"url"`
	Size      int64      `json:"size"`
	Error     string     `json:"error"`
	ErrorCode fault.Code `json:"error_code,omitempty"`
	MediaID   string     `json:"media_id,omitempty"`
	Link      string     `json:"link,omitempty"`
	ID        string     `json:"id,omitempty"`
	Already   bool       `json:"already_uploaded,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
}

func (r *results) notQueued(path string, err error) {
	if errors.Is(err, localfile.ErrSkipped) {
		// Left out of a folder on purpose (a link loop): nothing is lost.
		fmt.Fprintf(r.stderr, "ferry: %s\n", naming(path, err.Error()))
		return
	}
	r.failed++
	if fault.CodeOf(err) == fault.CodeStore {
		// One sentence for a disk that cannot be written, not one per file.
		if r.storeFailed++; r.storeFailed == 1 {
			fmt.Fprintf(r.stderr, "ferry: failed: %v\n", err)
		}
	} else {
		fmt.Fprintf(r.stderr, "ferry: failed: %s\n", naming(path, err.Error()))
	}
	if r.json {
		r.emit(resultLine{Path: path, State: engine.Failed.String(), Error: err.Error(), ErrorCode: fault.CodeOf(err)})
	}
}

// close says what was folded into one line.
func (r *results) close() {
	if r.storeFailed > 1 {
		fmt.Fprintf(r.stderr, "ferry: %d files were not queued for that reason.\n", r.storeFailed)
	}
}

func (r *results) finished(j engine.Job) {
	switch j.State {
	case engine.Done:
	case engine.Paused:
		// Paused by someone (ferry pause, the window): not a failure of the
		// upload, though not done either.
		r.failed++
		fmt.Fprintf(r.stderr, "ferry: paused: %s (ferry resume goes on)\n", j.Path)
	case engine.Cancelled:
		r.failed++
		fmt.Fprintf(r.stderr, "ferry: cancelled: %s\n", j.Path)
	default:
		r.failed++
		r.authFailed = r.authFailed || j.ErrorCode == fault.CodeAuth
		why := j.Error
		if why == "" {
			why = "the upload was " + j.State.String()
		}
		fmt.Fprintf(r.stderr, "ferry: failed: %s\n", naming(j.Path, why))
	}
	if r.json {
		r.emit(lineOf(j))
		return
	}
	if j.State == engine.Done {
		word := "done"
		if j.Already {
			word = "already uploaded"
		}
		if j.MediaID != "" {
			fmt.Fprintf(r.stdout, "%s  %s  %s  (media id %s)\n", word, j.Path, j.UploadURL, j.MediaID)
		} else {
			fmt.Fprintf(r.stdout, "%s  %s  %s\n", word, j.Path, j.UploadURL)
		}
	}
}

// refused ends a command that was not run, or not for every job: the
// sentence on stderr and, with --json, a line with its code on stdout.
// It returns the exit code.
func (r *results) refused(err error) int {
	if r.json && err != nil && !errors.Is(err, flag.ErrHelp) {
		r.emit(resultLine{State: engine.Failed.String(), Error: err.Error(), ErrorCode: codeOf(err)})
	}
	return exitCode(err, r.stderr)
}

// after is a job's --json line after a command: its state then, or
// "removed" once it is off the list.
func (r *results) after(before, now engine.Job, found bool) {
	if !found {
		r.emit(resultLine{Path: before.Path, State: "removed", Size: before.Size, ID: before.ID})
		return
	}
	r.emit(lineOf(now))
}

// lineOf is a job's --json line as it is.
func lineOf(j engine.Job) resultLine {
	return resultLine{Path: j.Path, State: j.State.String(), URL: j.UploadURL, Size: j.Size, Error: j.Error,
		ErrorCode: j.ErrorCode, MediaID: j.MediaID, Link: j.Link, ID: j.ID, Already: j.Already, Notes: j.Notes}
}

// codeOf is err's code for a program: its own, else fault.CodeUsage for
// a command line that cannot be run (exit 2).
func codeOf(err error) fault.Code {
	if c := fault.CodeOf(err); c != "" {
		return c
	}
	var u errUsage
	if errors.As(err, &u) {
		return fault.CodeUsage
	}
	return ""
}

// resultOf is where a done job's file is, for a line: its link where the
// provider gives one, else its URL, and its media id.
func resultOf(j engine.Job) string {
	s := j.UploadURL
	if j.Link != "" {
		s = j.Link
	}
	if j.MediaID != "" {
		s += "  (media id " + j.MediaID + ")"
	}
	return s
}

func (r *results) emit(l resultLine) {
	b, _ := json.Marshal(l)
	fmt.Fprintf(r.stdout, "%s\n", b)
}

// naming makes sure a failure names its file.
func naming(path, msg string) string {
	if strings.Contains(msg, path) {
		return msg
	}
	return path + ": " + msg
}

// removed reports a job taken off the queue while it was followed.
func (r *results) removed(j engine.Job) {
	r.failed++
	fmt.Fprintf(r.stderr, "ferry: removed from the queue: %s\n", j.Path)
}
