package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/ferry-app/ferry/engine/transfer"
)

// createNamed sends a small file in its creation request, to a receiver
// that takes client-named uploads (Ferry's own): the upload's URL is
// recorded before the request goes, so a crash or a lost answer is put
// right by the HEAD of the next attempt, and one request carries the
// whole file. It returns the offset the server took.
func (e *Engine) createNamed(ctx context.Context, j *job, dest Destination, t transfer.Target, p *plan, id Identity) (int64, error) {
	name := newUploadID()
	url, err := transfer.NamedURL(t.Endpoint, name)
	if err != nil {
		return 0, err
	}
	if err := e.record(j, p, transfer.Created{URL: url}, id, p.size); err != nil {
		return 0, err
	}
	guard := func() error {
		if cur, err := identify(p.path); err != nil || !cur.Same(id) {
			return errChanged
		}
		return nil
	}
	created, off, err := e.client.CreateNamed(ctx, t, p.size, p.path, name, jobProgress{e, j}, guard)
	if err != nil {
		e.lowerSent(j)
		if ctx.Err() == nil && transfer.CodeOf(err) == CodeFileChanged {
			return 0, errChanged
		}
		return 0, inWords(dest, url, err)
	}
	if created.URL != url {
		// The receiver put it elsewhere (a proxy's path): its word counts.
		if err := e.record(j, p, created, id, p.size); err != nil {
			return 0, err
		}
	}
	e.mu.Lock()
	if created.MediaID != "" {
		j.MediaID = created.MediaID
	}
	e.mu.Unlock()
	return off, nil
}

// newUploadID is a random upload id: 128 bits, as hex.
func newUploadID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
