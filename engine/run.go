package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/ferry-app/ferry/engine/transfer"
)

// run owns one job's transfer until it is done, fails, or its context is
// cancelled (pause, cancel, shutdown: whoever cancels has set the state).
func (e *Engine) run(ctx context.Context, j *job) {
	defer e.wg.Done()
	defer e.exit(j)

	bo := &backoff.ExponentialBackOff{
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         e.opts.MaxBackoff,
	}
	bo.Reset()
	// Jitter may push an interval past MaxInterval; the cap is a promise.
	next := func() time.Duration { return min(bo.NextBackOff(), e.opts.MaxBackoff) }
	conflicts := 0
	for {
		before := e.confirmedOf(j)
		err := e.attempt(ctx, j)
		if err == nil {
			e.finish(ctx, j)
			return
		}
		if ctx.Err() != nil {
			return
		}
		// The server took bytes since the last attempt (its offset, asked
		// by HEAD, went up): the link works, a dropped connection says
		// nothing more; go on at once. Backoff is for attempts that got
		// nowhere, and for a file that changed under us (its bytes were
		// accepted, but for nothing).
		progressed := err != errChanged && e.confirmedOf(j) > before
		if progressed {
			bo.Reset()
			conflicts = 0
		}
		var wait time.Duration
		switch transfer.KindOf(err) {
		case transfer.Permanent:
			e.fail(ctx, j, err)
			return
		case transfer.Conflict, transfer.Gone:
			// The next attempt asks the server; back off if it keeps
			// disagreeing, and give up if it never stops.
			conflicts++
			if conflicts > maxConflicts {
				e.fail(ctx, j, fmt.Errorf("The server keeps disagreeing about the upload (%v, %d times in a row). Retry it later, or check the server.", err, conflicts))
				return
			}
			if conflicts > 3 {
				wait = next()
			}
		default:
			switch {
			case transfer.RetryAfterOf(err) > 0:
				wait = max(next(), transfer.RetryAfterOf(err))
			case !progressed && !transfer.IsReshape(err):
				wait = next()
			}
		}
		if wait > 0 && !e.wait(ctx, j, err, wait) {
			return
		}
	}
}

// maxConflicts is how many 409s, 404s or impossible offsets in a row, with
// no progress between, make a job fail instead of trying forever.
const maxConflicts = 10

// confirmedOf is the offset the server last confirmed.
func (e *Engine) confirmedOf(j *job) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return j.confirmed
}

// wait shows the job as waiting and sleeps; false if the job was stopped.
func (e *Engine) wait(ctx context.Context, j *job, why error, d time.Duration) bool {
	e.mu.Lock()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return false
	}
	j.Offset = j.confirmed
	j.Reason, j.NextTry = why.Error(), time.Now().Add(d)
	if j.State == Waiting {
		e.changed(j)
	} else {
		e.setState(j, Waiting)
	}
	e.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (e *Engine) finish(ctx context.Context, j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	j.Offset, j.confirmed = j.Size, j.Size
	e.setState(j, Done)
}

func (e *Engine) fail(ctx context.Context, j *job, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	j.Offset, j.Error = j.confirmed, err.Error()
	e.setState(j, Failed)
}

// exit releases the job's slot, terminates a cancelled upload on the
// server, and lets the next job start.
func (e *Engine) exit(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.running, j.cancel = false, nil
	if j.State == Paused || j.State == Queued {
		j.Offset = j.confirmed
	}
	if j.terminate {
		j.terminate = false
		e.terminate(j)
	}
	if j.dirty {
		e.changed(j)
	}
	e.schedule()
}

// terminate deletes a cancelled job's server upload in the background.
// Caller holds e.mu.
func (e *Engine) terminate(j *job) {
	url, dest := j.UploadURL, cloneDest(j.Dest)
	j.UploadURL, j.MediaID, j.Offset, j.confirmed = "", "", 0, 0
	e.changed(j)
	if url == "" {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.client.Terminate(ctx, e.target(dest, ""), url)
	}()
}

// attempt makes one pass: check the file, find or create the upload, ask
// the server's offset, send the rest. nil means the server has every byte.
func (e *Engine) attempt(ctx context.Context, j *job) error {
	e.mu.Lock()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return context.Cause(ctx)
	}
	path, size, mtime, dest := j.Path, j.Size, j.ModTime, cloneDest(j.Dest)
	e.mu.Unlock()

	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &transfer.Error{Kind: transfer.Permanent, Msg: "The file " + path + " is gone (moved or deleted).", Err: err}
	}
	if err != nil {
		return &transfer.Error{Kind: transfer.Permanent, Msg: FileError(path, err).Error(), Err: err}
	}
	if fi.Size() != size || !fi.ModTime().Equal(mtime) {
		e.startOver(j, fi)
		size, mtime = fi.Size(), fi.ModTime()
	}
	t := e.target(dest, path)

	e.mu.Lock()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return context.Cause(ctx)
	}
	e.setState(j, Uploading)
	upload, fp := j.UploadURL, j.fp
	e.mu.Unlock()
	if upload == "" {
		upload, _ = e.fps.Get(fp)
	}

	offset := int64(0)
	if upload != "" {
		off, length, err := e.client.Offset(ctx, t, upload)
		switch {
		case err == nil && length >= 0 && length != size:
			e.forget(j, "The server's upload has another length; starting a new upload")
			upload = ""
		case transfer.KindOf(err) == transfer.Gone:
			e.forget(j, "The server no longer had the upload; starting a new one")
			upload = ""
		case err != nil:
			return err
		default:
			offset = off
		}
	}
	if upload == "" {
		created, err := e.client.Create(ctx, t, size)
		if err != nil {
			return err
		}
		upload = created.URL
		e.fps.Set(fp, upload)
		e.mu.Lock()
		j.UploadURL, j.MediaID = upload, created.MediaID
		e.changed(j)
		e.mu.Unlock()
	}
	e.mu.Lock()
	j.UploadURL, j.Offset, j.confirmed = upload, offset, offset
	e.mu.Unlock()
	if offset >= size {
		return nil
	}
	// All but the last byte, then the last byte only if the file is still
	// the one being sent: a server never completes (and publishes) an
	// upload of a file that was edited or grew meanwhile.
	progress := jobProgress{e, j}
	unchanged := func() bool {
		fi, err := os.Stat(path)
		return err == nil && fi.Size() == size && fi.ModTime().Equal(mtime)
	}
	if offset < size-1 {
		if _, err := e.client.Send(ctx, t, upload, path, offset, size-1, progress, nil); err != nil {
			if ctx.Err() == nil && !unchanged() {
				return errChanged
			}
			return err
		}
		offset = size - 1
	}
	if !unchanged() {
		return errChanged
	}
	_, err = e.client.Send(ctx, t, upload, path, offset, size, progress, nil)
	return err
}

// errChanged: the file changed while it was sent. The next attempt starts
// it over, after a backoff, so a file still being written is not sent
// again and again.
var errChanged = &transfer.Error{Kind: transfer.Transient, Msg: "The file changed while it was sent; it will start over"}

// startOver restarts a job whose file changed on disk since its upload
// began: the old upload holds other bytes.
func (e *Engine) startOver(j *job, fi fs.FileInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.removed {
		return
	}
	e.forgetLater(j.fp) // the old fingerprint is never asked for again
	j.fp = fingerprint(j.Path, fi.Size(), fi.ModTime(), j.Dest.URL)
	j.Size, j.ModTime = fi.Size(), fi.ModTime()
	j.note("The file changed on disk; starting the upload over")
	// The unfinished upload holds stale bytes: delete it. (A finished one
	// was let go by Add and stays.)
	e.terminate(j)
}

// forget drops a job's server upload, noting why.
func (e *Engine) forget(j *job, why string) {
	e.fps.Delete(j.fp) // before the lock: a disk sync must not hold up others
	e.mu.Lock()
	defer e.mu.Unlock()
	j.UploadURL, j.MediaID, j.Offset, j.confirmed = "", "", 0, 0
	j.note("%s", why)
	e.changed(j)
}

// target builds the transfer's view of a destination.
func (e *Engine) target(d Destination, path string) transfer.Target {
	h := d.Header.Clone()
	if h == nil {
		h = make(map[string][]string)
	}
	for k, v := range e.headersFor(d.URL) {
		h[k] = v
	}
	meta := map[string]string{}
	if path != "" {
		meta["filename"] = filepath.Base(path)
		meta["filetype"] = fileType(path)
	}
	for k, v := range d.Meta {
		meta[k] = v
	}
	return transfer.Target{Endpoint: d.URL, Header: h, Metadata: meta, ChunkSize: d.ChunkSize}
}

// jobProgress feeds a transfer's bytes into the job.
type jobProgress struct {
	e *Engine
	j *job
}

func (p jobProgress) Sent(n int64) {
	p.e.mu.Lock()
	p.j.Offset += n
	p.j.moved += n
	p.j.dirty = true
	p.e.mu.Unlock()
}

func (p jobProgress) Accepted(offset int64, mediaID string) {
	p.e.mu.Lock()
	p.j.confirmed, p.j.Offset, p.j.dirty = offset, offset, true
	if mediaID != "" {
		p.j.MediaID = mediaID
	}
	p.e.mu.Unlock()
}
