package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Destination is where a job's file goes.
type Destination struct {
	URL       string            `json:"url"` // tus creation endpoint
	Header    http.Header       `json:"header,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`       // extra Upload-Metadata
	ChunkSize int64             `json:"chunk_size,omitempty"` // 0: one streaming PATCH
}

// Job is a snapshot of one upload. The engine owns the real thing; callers
// only ever see copies.
type Job struct {
	ID        string      `json:"id"`
	Path      string      `json:"path"`
	Size      int64       `json:"size"`
	ModTime   time.Time   `json:"mtime"`
	Dest      Destination `json:"dest"`
	State     State       `json:"state"`
	Offset    int64       `json:"offset"`               // bytes the server has (a hint until it says so)
	UploadURL string      `json:"upload_url,omitempty"` // the upload on the server
	MediaID   string      `json:"media_id,omitempty"`   // Stream-Media-ID, where sent
	Error     string      `json:"error,omitempty"`      // why it failed
	Reason    string      `json:"reason,omitempty"`     // why it is waiting
	NextTry   time.Time   `json:"next_try,omitzero"`    // when a waiting job tries again
	Notes     []string    `json:"notes,omitempty"`      // history worth telling
	Added     time.Time   `json:"added"`
	Finished  time.Time   `json:"finished,omitzero"`

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
	j.Dest.Header = j.Dest.Header.Clone()
	j.Dest.Meta = maps.Clone(j.Dest.Meta)
	j.Notes = slices.Clone(j.Notes)
	return j
}

// job is the engine's own record: a Job plus what only the engine sees.
type job struct {
	Job
	fp        string                  // fingerprint of path, size, mtime, destination
	held      bool                    // loaded from disk; waits for Start or a re-Add
	running   bool                    // a goroutine owns the transfer
	cancel    context.CancelCauseFunc // stops that goroutine
	confirmed int64                   // offset the server confirmed
	dirty     bool                    // progress not yet on disk
	moved     int64                   // bytes handed to connections by this process
	lastMoved int64                   // moved at the previous speed tick
	// terminate asks the goroutine to delete the server upload on its way out.
	terminate bool
	removed   bool // off the list: never written or published again
}

// recordVersion is the shape of a stored job record.
const recordVersion = 1

type record struct {
	V int `json:"v"`
	Job
	Fingerprint string `json:"fingerprint"`
}

// secret header names are never written to disk; they are given again
// (flag or keychain) when a job resumes in a later process.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "cookie" || n == "proxy-authorization" {
		return true
	}
	for _, s := range []string{"token", "secret", "key", "auth", "password"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func (j *job) encode() ([]byte, error) {
	r := record{V: recordVersion, Job: j.Job.clone(), Fingerprint: j.fp}
	for k := range r.Dest.Header {
		if secretHeader(k) {
			delete(r.Dest.Header, k)
		}
	}
	if len(r.Dest.Header) == 0 {
		r.Dest.Header = nil
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
	if r.ID != id || r.Path == "" || r.Dest.URL == "" {
		return nil, fmt.Errorf("incomplete record")
	}
	return &job{Job: r.Job, fp: r.Fingerprint, confirmed: r.Offset}, nil
}
