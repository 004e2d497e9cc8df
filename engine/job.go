package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"
)

// Job is a snapshot of one upload. The engine owns the real thing; callers
// only ever see copies, with secrets left out.
type Job struct {
	ID        string      `json:"id"`
	Path      string      `json:"path"`
	Size      int64       `json:"size"`
	ModTime   time.Time   `json:"mtime"`
	Dest      Destination `json:"dest"`
	State     State       `json:"state"`
	Offset    int64       `json:"offset"`               // bytes the server has: a hint until it says so, never below what it acknowledged
	UploadURL string      `json:"upload_url,omitempty"` // the upload on the server
	MediaID   string      `json:"media_id,omitempty"`   // Stream-Media-ID, where sent
	Link      string      `json:"link,omitempty"`       // where people see the result (Vimeo's video page)
	Expires   time.Time   `json:"expires,omitzero"`     // when the server will forget the upload, if it says
	Error     string      `json:"error,omitempty"`      // why it failed, as a sentence
	ErrorCode Code        `json:"error_code,omitempty"` // why it failed, for a program
	Reason    string      `json:"reason,omitempty"`     // why it is waiting; uploading: Reconnecting until the server answers
	NextTry   time.Time   `json:"next_try,omitzero"`    // when a waiting job tries again
	Notes     []string    `json:"notes,omitempty"`      // history worth telling
	Added     time.Time   `json:"added"`
	Finished  time.Time   `json:"finished,omitzero"`
	// Already: the file was uploaded before (same path, size, mtime and
	// destination); nothing was sent this time.
	Already bool `json:"already_uploaded,omitempty"`
	// Deleting: cancelled, and its server upload is being deleted; should
	// the server hold it whole, the job ends done instead (a front-end
	// waits for the word before it calls the file cancelled).
	Deleting bool `json:"deleting,omitempty"`

	Speed float64       `json:"-"` // bytes/s, moving average while uploading
	ETA   time.Duration `json:"-"` // 0 when unknown
}

// Progress is the fraction done, 0..1; an empty file is done when it is.
func (j Job) Progress() float64 {
	if j.Size == 0 {
		if j.State == Done {
			return 1
		}
		return 0
	}
	return float64(j.Offset) / float64(j.Size)
}

func (j Job) clone() Job {
	j.Dest = cloneDest(j.Dest)
	j.Notes = slices.Clone(j.Notes)
	return j
}

// view is the copy the world sees: header values and URL secrets left out.
func (j Job) view() Job {
	j = j.clone()
	for k := range j.Dest.Header {
		j.Dest.Header[k] = []string{redacted}
	}
	j.Dest.URL = RedactURL(j.Dest.URL)
	j.UploadURL = RedactURL(j.UploadURL)
	return j
}

func cloneDest(d Destination) Destination {
	d.Header = d.Header.Clone()
	d.Meta = maps.Clone(d.Meta)
	d.SecretHeaders = slices.Clone(d.SecretHeaders)
	return d
}

// job is the engine's own record: a Job plus what only the engine sees.
type job struct {
	Job
	seq        uint64                  // add order (the id as a number)
	pos        int                     // index in Engine.order
	fp         string                  // fingerprint of path, size, mtime, destination
	ident      *Identity               // the file as it was when its upload began
	sent       int64                   // no byte beyond this offset was ever offered to the upload (on disk)
	offered    int64                   // exact: the bytes this process read for offeredFor, or the server confirmed
	offeredFor string                  // the upload offered counts for; another: unknown
	held       bool                    // loaded from disk; waits for Start or a re-Add
	ready      bool                    // in the scheduler's heap
	lane       uint8                   // the lane it was offered to, and runs in
	running    bool                    // a goroutine owns the transfer
	cancel     context.CancelCauseFunc // stops that goroutine
	confirmed  int64                   // offset the server confirmed
	moved      int64                   // bytes handed to connections by this process
	lastMoved  int64                   // moved at the previous speed tick
	flowing    bool                    // bytes moved since the attempt began
	tried      int64                   // when the attempt began (Unix ns: a job is kept small, for queues of 100 000)
	left       int64                   // this job's share of Totals.BytesLeft
	born       int64                   // when this process created the job's upload (Unix ns; 0: not in this process)
	knownSpeed float64                 // the last speed measured, kept through pauses
	counted    bool                    // counted in Totals...
	countedAs  State                   // ...under this state
	// terminate asks the goroutine to delete the server upload on its way out.
	terminate bool
	removed   bool // off the list: never written or published again
}

// startable: the scheduler may give it a slot.
func (j *job) startable() bool { return j.State == Queued && !j.held && !j.running && !j.removed }

// recordVersion is the shape of a stored job record.
//
//	1: the job
//	2: + identity, sent, raw path
const recordVersion = 2

type record struct {
	V int `json:"v"`
	Job
	Fingerprint string    `json:"fingerprint"`
	Identity    *Identity `json:"identity,omitempty"`
	Sent        *int64    `json:"sent,omitempty"`
	// RawPath holds a path that is not valid UTF-8, byte for byte (JSON
	// strings would turn its bytes into U+FFFD).
	RawPath []byte `json:"raw_path,omitempty"`
}

func (j *job) encode() ([]byte, error) {
	r := record{V: recordVersion, Job: j.Job.clone(), Fingerprint: j.fp, Identity: j.ident, Sent: &j.sent}
	r.Speed, r.ETA, r.Deleting = 0, 0, false // live state: a deletion an earlier process left goes on unwatched
	for k := range r.Dest.Header {
		if secretHeader(k) {
			delete(r.Dest.Header, k)
		}
	}
	if len(r.Dest.Header) == 0 {
		r.Dest.Header = nil
	}
	r.Dest.URL = StripSecrets(r.Dest.URL)
	if !utf8.ValidString(r.Path) {
		r.RawPath = []byte(r.Path)
	}
	return json.Marshal(r)
}

func decodeJob(id string, b []byte) (*job, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if r.V < 1 || r.V > recordVersion {
		return nil, fmt.Errorf("record version %d is not one this Ferry knows (%d)", r.V, recordVersion)
	}
	if r.ID != id || (r.Path == "" && r.RawPath == nil) || (r.Dest.URL == "" && r.Dest.Name == "") {
		return nil, fmt.Errorf("incomplete record")
	}
	if r.RawPath != nil {
		r.Path = string(r.RawPath)
	}
	j := &job{Job: r.Job, fp: r.Fingerprint, confirmed: r.Offset, ident: r.Identity}
	j.sent = j.Size // version 1 did not record it: trust the server as it did
	if r.Sent != nil {
		j.sent = *r.Sent
	}
	return j, nil
}
