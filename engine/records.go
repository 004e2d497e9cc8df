package engine

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/localfile"
)

// completion is what stays of a finished upload, beside its file's
// fingerprint: adding the same file again sends nothing, even once the
// server has forgotten the upload.
type completion struct {
	URL     string    `json:"url"`
	MediaID string    `json:"media_id,omitempty"`
	Link    string    `json:"link,omitempty"`
	At      time.Time `json:"at"`
	Size    int64     `json:"size"`
}

func (c completion) encode() []byte {
	b, _ := json.Marshal(c)
	return b
}

// apply gives j the result the record describes; the caller makes it
// done. Caller holds e.mu.
func (c *completion) apply(j *job) {
	j.UploadURL = c.URL
	j.setFound(c.MediaID, c.Link, time.Time{})
	j.Offset, j.confirmed, j.Finished, j.Already = j.Size, j.Size, c.At, true
	j.note("Uploaded before, on %s; nothing sent again", c.At.Local().Format("2006-01-02 15:04"))
}

// completions looks up the completion records of fingerprints: staged
// ones first (not yet on disk), then the database, in one read.
func (e *Engine) completions(fps []string) map[string]*completion {
	out := map[string]*completion{}
	var unstaged []string
	for _, fp := range fps {
		if v, ok := e.w.Staged(store.Completions, fp); ok {
			if c := decodeCompletion(v); c != nil {
				out[fp] = c
			}
			continue
		}
		unstaged = append(unstaged, fp)
	}
	e.store.GetMany(store.Completions, unstaged, func(fp string, v []byte) {
		if c := decodeCompletion(v); c != nil {
			out[fp] = c
		}
	})
	return out
}

func decodeCompletion(v []byte) *completion {
	var c completion
	if v == nil || json.Unmarshal(v, &c) != nil || c.URL == "" {
		return nil
	}
	return &c
}

// upload is the fingerprint record of an upload in progress: found again
// by a new job for the same file (after a remove, or a failed job's).
type upload struct {
	URL      string              `json:"url"`
	Sent     int64               `json:"sent"`
	Identity *localfile.Identity `json:"identity,omitempty"`
}

func (u upload) encode() []byte {
	b, _ := json.Marshal(u)
	return b
}

// uploadOf reads a fingerprint record; schema 1 stored the bare URL.
func (e *Engine) uploadOf(fp string, size int64) (upload, bool) {
	v := e.w.Lookup(store.Fingerprints, fp)
	if v == nil {
		return upload{}, false
	}
	var u upload
	if !strings.HasPrefix(string(v), "{") {
		return upload{URL: string(v), Sent: size}, true
	}
	if json.Unmarshal(v, &u) != nil || u.URL == "" {
		return upload{}, false
	}
	return u, true
}
