package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
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
	ErrorCode fault.Code  `json:"error_code,omitempty"` // why it failed, for a program
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

// redact leaves out header values and URL secrets: what the world sees.
// j's destination maps are its own.
func (j *Job) redact() {
	for k := range j.Dest.Header {
		j.Dest.Header[k] = []string{dest.Redacted}
	}
	j.Dest.URL = dest.RedactURL(j.Dest.URL)
	j.UploadURL = dest.RedactURL(j.UploadURL)
}

func cloneDest(d Destination) Destination {
	d.Header = d.Header.Clone()
	d.Meta = maps.Clone(d.Meta)
	d.SecretHeaders = slices.Clone(d.SecretHeaders)
	return d
}

// job is the engine's own record of an upload; Job is its snapshot. A
// queue may hold 100 000 jobs, so a job keeps inline only what every job
// uses: what few jobs ever have (an error, a reason to wait, a media id,
// notes) is in x, nil until set, and the destination is shared by the
// jobs added together.
type job struct {
	ID         string
	Path       string
	UploadURL  string // the upload on the server
	fp         string // fingerprint of path, size, mtime, destination
	offeredFor string // the upload offered counts for; another: unknown
	// Dest is shared with other jobs and never changed in place: views
	// and records clone it before they redact.
	Dest       *Destination
	x          *jobExtra
	ident      *localfile.Identity     // the file as it was when its upload began
	cancel     context.CancelCauseFunc // stops the goroutine that runs it
	ModTime    time.Time
	Added      time.Time
	Finished   time.Time
	Size       int64
	Offset     int64 // bytes the server has: a hint until it says so, never below what it acknowledged
	State      State
	countedAs  State   // the state it is counted under in Totals, when counted
	Speed      float64 // bytes/s, moving average while uploading
	seq        uint64  // add order (the id as a number)
	sent       int64   // no byte beyond this offset was ever offered to the upload (on disk)
	offered    int64   // exact: the bytes this process read for offeredFor, or the server confirmed
	confirmed  int64   // offset the server confirmed
	moved      int64   // bytes handed to connections by this process
	lastMoved  int64   // moved at the previous speed tick
	tried      int64   // when the attempt began (Unix ns)
	left       int64   // this job's share of Totals.BytesLeft
	born       int64   // when this process created the job's upload (Unix ns; 0: not in this process)
	knownSpeed float64 // the last speed measured, kept through pauses
	pos        int32   // index in Engine.order
	// gen counts the uploads the job let go: its next named upload gets
	// a new id. (16 bits keep the job within its size class; should it
	// wrap, a receiver's 409 for the old id is answered as any other.)
	gen      uint16
	lane     uint8 // the lane it was offered to, and runs in
	Already  bool  // see Job
	Deleting bool  // see Job
	held     bool  // loaded from disk; waits for Start or a re-Add
	ready    bool  // in the scheduler's heap
	running  bool  // a goroutine owns the transfer
	flowing  bool  // bytes moved since the attempt began
	counted  bool  // counted in Totals
	// terminate asks the goroutine to delete the server upload on its way out.
	terminate bool
	removed   bool // off the list: never written or published again
}

// jobExtra holds what few jobs have; see Job for each field.
type jobExtra struct {
	MediaID   string
	Link      string
	Error     string
	ErrorCode fault.Code
	Reason    string
	Expires   time.Time
	NextTry   time.Time
	Notes     []string
}

// extra reads what few jobs have (zero values when the job has none).
func (j *job) extra() jobExtra {
	if j.x == nil {
		return jobExtra{}
	}
	return *j.x
}

// edit is extra to write to. Caller holds e.mu.
func (j *job) edit() *jobExtra {
	if j.x == nil {
		j.x = &jobExtra{}
	}
	return j.x
}

// tidy gives back the extra of a job that no longer has any. Caller
// holds e.mu.
func (j *job) tidy() {
	if j.x != nil && j.x.empty() {
		j.x = nil
	}
}

// empty: the job has none of what few jobs have.
func (x *jobExtra) empty() bool {
	return x.MediaID == "" && x.Link == "" && x.Error == "" && x.ErrorCode == "" &&
		x.Reason == "" && x.Expires.IsZero() && x.NextTry.IsZero() && len(x.Notes) == 0
}

// snapshot is the job as a Job, secrets and all: the destination's maps
// are copies. Caller holds e.mu.
func (j *job) snapshot() Job {
	x := j.extra()
	return Job{
		ID: j.ID, Path: j.Path, Size: j.Size, ModTime: j.ModTime, Dest: cloneDest(*j.Dest),
		State: j.State, Offset: j.Offset, UploadURL: j.UploadURL, MediaID: x.MediaID, Link: x.Link,
		Expires: x.Expires, Error: x.Error, ErrorCode: x.ErrorCode, Reason: x.Reason, NextTry: x.NextTry,
		Notes: slices.Clone(x.Notes), Added: j.Added, Finished: j.Finished, Already: j.Already,
		Deleting: j.Deleting, Speed: j.Speed, ETA: eta(j.Size-j.Offset, j.Speed),
	}
}

// view is the copy the world sees: header values and URL secrets left
// out. Caller holds e.mu.
func (j *job) view() Job {
	v := j.snapshot()
	v.redact()
	return v
}

// fromRecord makes the job a stored Job describes, going to dest.
func fromRecord(r *Job, dest *Destination) *job {
	j := &job{ID: r.ID, Path: r.Path, UploadURL: r.UploadURL, Dest: dest, ModTime: r.ModTime,
		Added: r.Added, Finished: r.Finished, Size: r.Size, Offset: r.Offset, State: r.State, Already: r.Already}
	x := jobExtra{MediaID: r.MediaID, Link: r.Link, Error: r.Error, ErrorCode: r.ErrorCode,
		Reason: r.Reason, Expires: r.Expires, NextTry: r.NextTry, Notes: r.Notes}
	if !x.empty() {
		j.x = &x
	}
	return j
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
	Fingerprint string              `json:"fingerprint"`
	Identity    *localfile.Identity `json:"identity,omitempty"`
	Sent        *int64              `json:"sent,omitempty"`
	Gen         uint16              `json:"gen,omitempty"` // see job.gen
	// RawPath holds a path that is not valid UTF-8, byte for byte (JSON
	// strings would turn its bytes into U+FFFD).
	RawPath []byte `json:"raw_path,omitempty"`
}

func (j *job) encode() ([]byte, error) {
	r := record{V: recordVersion, Job: j.snapshot(), Fingerprint: j.fp, Identity: j.ident, Sent: &j.sent, Gen: j.gen}
	r.Speed, r.ETA, r.Deleting = 0, 0, false // live state: a deletion an earlier process left goes on unwatched
	for k := range r.Dest.Header {
		if dest.SecretHeader(k) {
			delete(r.Dest.Header, k)
		}
	}
	if len(r.Dest.Header) == 0 {
		r.Dest.Header = nil
	}
	r.Dest.URL = dest.StripSecrets(r.Dest.URL)
	if !utf8.ValidString(r.Path) {
		r.RawPath = []byte(r.Path)
	}
	return json.Marshal(r)
}

// decodeJob reads a stored job; jobs with the same destination get one
// copy of it from dests.
func decodeJob(id string, b []byte, dests sharedDests) (*job, error) {
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
	j := fromRecord(&r.Job, dests.of(r.Dest))
	j.fp, j.confirmed, j.ident, j.gen = r.Fingerprint, r.Offset, r.Identity, r.Gen
	j.sent = j.Size // version 1 did not record it: trust the server as it did
	if r.Sent != nil {
		j.sent = *r.Sent
	}
	return j, nil
}

// letGo forgets the job's server upload, and what the server said of
// it; the caller sees to the server's copy. Caller holds e.mu.
func (j *job) letGo() {
	j.UploadURL, j.Offset, j.confirmed, j.sent, j.ident = "", 0, 0, 0, nil
	j.gen++
	j.setFound("", "", time.Time{})
}

// setFound keeps what the server said of the job's upload: the media id,
// the link people see it at, when it expires. Caller holds e.mu.
func (j *job) setFound(mediaID, link string, expires time.Time) {
	if j.x != nil || mediaID != "" || link != "" || !expires.IsZero() {
		x := j.edit()
		x.MediaID, x.Link, x.Expires = mediaID, link, expires
		j.tidy()
	}
}

// setWait says why the job waits and when it tries again. Caller holds
// e.mu.
func (j *job) setWait(why string, next time.Time) {
	if j.x != nil || why != "" || !next.IsZero() {
		x := j.edit()
		x.Reason, x.NextTry = why, next
		j.tidy()
	}
}

// setError says why the job failed. Caller holds e.mu.
func (j *job) setError(msg string, code fault.Code) {
	if j.x != nil || msg != "" || code != "" {
		x := j.edit()
		x.Error, x.ErrorCode = msg, code
		j.tidy()
	}
}

// sharedDests holds one copy of each destination the jobs of a queue go
// to, as AddMany gives the jobs it adds: jobs read from disk would each
// have their own.
type sharedDests map[string]*Destination

func (s sharedDests) of(d Destination) *Destination {
	k, err := json.Marshal(d)
	if err != nil {
		return &d
	}
	if p, ok := s[string(k)]; ok {
		return p
	}
	s[string(k)] = &d
	return &d
}
