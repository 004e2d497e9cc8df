package engine

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// createNamed sends a small file in its creation request, to a receiver
// that takes client-named uploads (Ferry's own), under the id uploadID
// gives the job: one request carries the whole file, and no disk sync
// comes before it. The upload's URL is staged, not waited for: should
// this process die before it is on disk, the next one names the upload
// the same way, the receiver refuses the repeat (409, a conflict), and
// the attempt after asks it how much it holds. It returns the offset the
// server took.
func (e *Engine) createNamed(ctx context.Context, j *job, to Destination, t transfer.Target, p *plan, id localfile.Identity) (int64, error) {
	key, err := e.uploadIDKey()
	if err != nil {
		return 0, err
	}
	e.mu.Lock()
	name := uploadID(key, j.ID, j.gen)
	e.mu.Unlock()
	url, err := transfer.NamedURL(t.Endpoint, name)
	if err != nil {
		return 0, err
	}
	e.adopt(j, p, transfer.Created{URL: url}, id, p.size)
	guard := func() error {
		if cur, err := localfile.Identify(p.path); err != nil || !cur.Same(id) {
			return errChanged
		}
		return nil
	}
	created, off, err := e.client.CreateNamed(ctx, t, p.size, p.path, name, jobProgress{e, j}, guard)
	if fault.KindOf(err) == fault.Conflict {
		// The receiver has the upload: made by an earlier process, which
		// may have sent it every byte before its record reached the disk.
		e.mu.Lock()
		j.offeredFor = ""
		e.mu.Unlock()
		return 0, dest.InWords(to, url, err)
	}
	if err != nil {
		e.lowerSent(j)
		if ctx.Err() == nil && fault.CodeOf(err) == fault.CodeFileChanged {
			return 0, errChanged
		}
		return 0, dest.InWords(to, url, err)
	}
	if created.URL != url {
		// The receiver put it elsewhere (a proxy's path): its word counts.
		if err := e.record(j, p, created, id, p.size); err != nil {
			return 0, err
		}
	}
	e.mu.Lock()
	if created.MediaID != "" {
		j.edit().MediaID = created.MediaID
	}
	e.mu.Unlock()
	return off, nil
}

// settingIDKey holds the data dir's key for naming uploads.
const settingIDKey = settingPrefixReserved + "upload-id-key"

// uploadIDKey is the data dir's secret for naming uploads: made once, and
// on disk before any id made from it goes out.
func (e *Engine) uploadIDKey() ([]byte, error) {
	e.keyMu.Lock()
	defer e.keyMu.Unlock()
	if e.idKey != nil {
		return e.idKey, nil
	}
	k := e.store.Get(store.Settings, settingIDKey)
	if len(k) != sha256.Size {
		k = make([]byte, sha256.Size)
		rand.Read(k)
		if err := e.keepSetting(settingIDKey, k); err != nil {
			return nil, notRecorded("the upload could not be named on disk, so it was not sent. It goes on once the disk can be written.", err)
		}
	}
	e.idKey = k
	return k, nil
}

// uploadID names a job's upload at a receiver that takes client-named
// uploads: the same until the job lets its upload go (gen), and, made
// with the data dir's key, not to be guessed by anyone else (the URL of
// an upload is all it takes to write to it). 128 bits, as hex.
func uploadID(key []byte, jobID string, gen uint16) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(jobID))
	m.Write([]byte{0})
	m.Write([]byte(strconv.Itoa(int(gen))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
