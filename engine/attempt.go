package engine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// errChanged: the file changed while it was sent. The next attempt waits
// until it is still, then starts over.
var errChanged = &fault.Error{Kind: fault.Transient, Code: fault.CodeFileChanged, Msg: "The file changed while it was sent; it will start over once it is still"}

// plan is what an attempt works from: the job as it was when it began.
type plan struct {
	path   string
	size   int64
	mtime  time.Time
	dest   Destination
	fp     string
	upload string
	sent   int64
	ident  *localfile.Identity
}

// attempt makes one pass: ask the server about the upload first (what it
// holds whole is done, whatever became of the file), then check the file
// is the one the upload began with, create an upload if there is none,
// and send the rest. nil means the server has every byte.
func (e *Engine) attempt(ctx context.Context, j *job) error {
	e.mu.Lock()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return context.Cause(ctx)
	}
	p := plan{path: j.Path, size: j.Size, mtime: j.ModTime, dest: cloneDest(*j.Dest), fp: j.fp,
		upload: j.UploadURL, sent: j.bound(), ident: j.ident}
	e.setState(j, Uploading)
	j.flowing, j.tried = false, time.Now().UnixNano()
	e.mu.Unlock()
	if p.upload == "" {
		if u, ok := e.uploadOf(p.fp, p.size); ok {
			// An upload of this very file, begun by an earlier job.
			p.upload, p.sent, p.ident = u.URL, u.Sent, u.Identity
			e.mu.Lock()
			j.UploadURL, j.sent, j.ident = u.URL, u.Sent, u.Identity
			e.mu.Unlock()
		}
	}
	to, err := e.resolve(p.dest)
	if err != nil {
		return err
	}
	t := e.target(to, p.path)

	offset := int64(0)
	if p.upload != "" {
		e.reconnecting(j)
		off, err := e.serverOffset(ctx, j, t, &p)
		if err != nil || p.upload != "" && off == p.size {
			return dest.InWords(to, p.upload, err) // done (nil), or the server cannot be trusted
		}
		offset = off
	}
	if err := e.verifyFile(ctx, j, &p); err != nil {
		return err
	}
	if p.upload != "" && e.expiresFirst(j, p.size-offset) {
		old := p.upload
		e.forget(j, &p, "The upload URL expires before the rest could arrive at this speed; asked the destination for a new one and started over", false)
		e.mu.Lock()
		e.del.stage(nil, old, p.dest)
		e.mu.Unlock()
	}
	if p.upload != "" && p.ident == nil {
		// A record from before identities: from now on the file has one.
		id, err := localfile.Identify(p.path)
		if err != nil {
			return localfile.Gone(p.path, err)
		}
		p.ident = &id
		e.mu.Lock()
		j.ident = &id
		e.mu.Unlock()
	}
	if p.upload == "" {
		if offset, err = e.create(ctx, j, to, t, &p); err != nil {
			return err
		}
	}
	e.resumeAt(j, p.upload, offset)
	if offset >= p.size {
		return nil
	}
	// No byte past size-1 goes before the guard has seen the file unchanged
	// and recorded that the last byte is on its way.
	if err := e.raiseSent(j, p.size-1); err != nil {
		return err
	}
	guard := func() error {
		if cur, err := localfile.Identify(p.path); err != nil || !cur.Same(*p.ident) {
			return errChanged
		}
		return e.raiseSent(j, p.size)
	}
	_, err = e.client.Send(ctx, t, p.upload, p.path, offset, p.size, jobProgress{e, j}, guard)
	if err != nil {
		e.lowerSent(j)
	}
	if err != nil && ctx.Err() == nil && (fault.CodeOf(err) == fault.CodeFileChanged || e.fileChanged(p)) {
		return errChanged
	}
	return dest.InWords(to, p.upload, err)
}

// serverOffset asks the server how much of the upload it holds. An upload
// it holds whole is the job's result (it is never terminated); an offset
// beyond the length, the file or what was ever offered (counted exactly
// in this process, bounded by the record before) is a conflict; a
// forgotten upload or one of another length is let go (p.upload = "").
func (e *Engine) serverOffset(ctx context.Context, j *job, t transfer.Target, p *plan) (int64, error) {
	off, length, err := e.client.Offset(ctx, t, p.upload)
	switch {
	case fault.KindOf(err) == fault.Gone:
		e.forget(j, p, "The server no longer had the upload; starting a new one", false)
		return 0, nil
	case err != nil:
		return 0, err
	case off > p.size || (length >= 0 && off > length) || off > p.sent:
		return 0, &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict,
			Msg: fmt.Sprintf("The server claims to hold %d bytes of a %d-byte upload, of which at most %d were ever sent; it cannot be trusted", off, max(length, p.size), p.sent)}
	case length >= 0 && length != p.size:
		e.forget(j, p, fmt.Sprintf("The server's upload has another length (%d bytes, not %d); it is deleted, and a new upload starts", length, p.size), true)
		return 0, nil
	}
	e.mu.Lock()
	if off == p.size {
		j.UploadURL, j.confirmed = p.upload, off
	}
	if j.offeredFor != p.upload {
		j.offered, j.offeredFor = 0, p.upload
	}
	j.offered = max(j.offered, off)
	e.mu.Unlock()
	return off, nil
}

// verifyFile makes sure the file is the one the upload began with: with an
// upload, its whole identity; without, its size and mtime. A file that
// changed waits until it is still, then the job starts over; one still
// open in the program writing it (Windows) waits until it is closed.
func (e *Engine) verifyFile(ctx context.Context, j *job, p *plan) error {
	same, err := planned(p)
	if err != nil || (same && !localfile.Busy(p.path)) {
		return err
	}
	fi, err := e.settle(ctx, j, p.path)
	if err != nil {
		return err
	}
	if same, err = planned(p); err != nil || same {
		return err // closed by its maker unchanged: the upload goes on
	}
	e.startOver(j, p, fi)
	return nil
}

// planned: the file on disk is the one p sends.
func planned(p *plan) (bool, error) {
	if p.upload != "" && p.ident != nil {
		cur, err := localfile.Identify(p.path)
		if err != nil {
			return false, localfile.Gone(p.path, err)
		}
		return cur.Same(*p.ident), nil
	}
	fi, err := os.Stat(p.path)
	if err != nil {
		return false, localfile.Gone(p.path, err)
	}
	// Without an upload, or a record from before identities: size and
	// mtime it is.
	return fi.Size() == p.size && fi.ModTime().Equal(p.mtime), nil
}

// fileChanged: the file on disk is no longer what the plan sends.
func (e *Engine) fileChanged(p plan) bool {
	fi, err := os.Stat(p.path)
	return err != nil || fi.Size() != p.size || !fi.ModTime().Equal(p.mtime)
}

// settle waits until the file has kept its size and mtime for the settle
// time, so a file still being written is sent once, when it is finished.
func (e *Engine) settle(ctx context.Context, j *job, path string) (fs.FileInfo, error) {
	still := e.opts.Settle
	poll := min(max(still/5, 10*time.Millisecond), time.Second)
	var last fs.FileInfo
	since := time.Now()
	shown := false
	for {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, localfile.Gone(path, err)
		}
		busy := localfile.Busy(path)
		switch {
		case last == nil || fi.Size() != last.Size() || !fi.ModTime().Equal(last.ModTime()):
			last, since = fi, time.Now()
		case busy:
			since = time.Now()
		case time.Since(since) >= still:
			if shown {
				e.mu.Lock()
				e.setState(j, Uploading)
				e.mu.Unlock()
			}
			return fi, nil
		}
		if !shown {
			shown = true
			e.mu.Lock()
			why := fmt.Sprintf("The file is changing; it starts over once it has been still for %s", still.Round(time.Millisecond))
			if busy {
				why = "The file is open in another program (an export still running?); it is sent once that program closes it"
			}
			j.setWait(why, time.Time{})
			e.setState(j, Waiting)
			e.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(poll):
		}
	}
}

// startOver gives a job whose file changed a fresh start: the unfinished
// upload (which holds other bytes) is deleted on the server.
func (e *Engine) startOver(j *job, p *plan, fi fs.FileInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := store.Batch{}
	b.Delete(store.Fingerprints, j.fp)
	if p.upload != "" {
		e.del.stage(b, p.upload, p.dest)
	}
	j.fp = fingerprint(j.Path, fi.Size(), fi.ModTime(), *j.Dest)
	j.Size, j.ModTime = fi.Size(), fi.ModTime()
	j.letGo()
	j.note("The file changed on disk; starting the upload over")
	e.changed(j, b)
	p.size, p.mtime, p.fp, p.upload, p.sent, p.ident = j.Size, j.ModTime, j.fp, "", 0, nil
}

// forget lets go of a job's server upload, noting why; drop also deletes
// it there (it is not the file's, yet the server keeps it).
func (e *Engine) forget(j *job, p *plan, why string, drop bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := store.Batch{}
	b.Delete(store.Fingerprints, j.fp)
	if drop && j.UploadURL != "" {
		// Not this file's upload any more, but still on the server: it
		// goes (the deleter never deletes one the server holds whole).
		e.del.stage(b, j.UploadURL, *j.Dest)
	}
	j.letGo()
	j.note("%s", why)
	e.changed(j, b)
	p.upload, p.sent, p.ident = "", 0, nil
}

// expiresFirst: the server will forget the upload before left bytes can
// arrive at the job's speed (unknown speed: no guess).
func (e *Engine) expiresFirst(j *job, left int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	expires := j.extra().Expires
	if expires.IsZero() || j.knownSpeed < 1 || j.born == 0 {
		return false
	}
	need := time.Duration(float64(left) / j.knownSpeed * float64(time.Second))
	// Only where a new URL would have the time: a server whose URLs never
	// last long enough is not asked again and again.
	window := expires.Sub(time.Unix(0, j.born))
	return time.Now().Add(need).After(expires) && window > need
}

// smallFile: a file this size or smaller goes in one PATCH, and its
// upload is recorded as offering every byte from the start, so it costs
// one disk sync (shared with the uploads beside it), not three.
const smallFile = 1 << 20

// create asks the server for a new upload of the file as it is now, and
// records it (URL, identity) on disk before any byte is sent: an upload
// the queue cannot find again would be made anew by the next run. (tus
// creation-with-upload saves a round trip for small files, but its upload
// would exist before Ferry could record it: a crash or Ctrl-C in that
// instant uploads the file twice. Only where the receiver takes an id
// that Ferry can name again after a crash, createNamed, is it used.) It
// returns the offset the server took.
func (e *Engine) create(ctx context.Context, j *job, d Destination, t transfer.Target, p *plan) (int64, error) {
	id, err := localfile.Identify(p.path)
	if err != nil {
		return 0, localfile.Gone(p.path, err)
	}
	if id.Size != p.size || !id.ModTime().Equal(p.mtime) {
		return 0, errChanged
	}
	prov := d.Provider()
	if p.size <= smallFile && prov.NamesUploads && e.client.NamesUploads(ctx, t) {
		return e.createNamed(ctx, j, d, t, p, id)
	}
	var created transfer.Created
	if prov.Create != nil {
		created, err = prov.Create(ctx, e.client.HTTP, d, t, p.size, filepath.Base(p.path))
	} else {
		created, err = e.client.Create(ctx, t, p.size)
	}
	if err != nil {
		return 0, dest.InWords(d, "", err)
	}
	var sent int64
	if p.size <= smallFile {
		sent = p.size
	}
	e.mu.Lock()
	if ctx.Err() != nil {
		// Paused or cancelled meanwhile: the upload is not the job's.
		e.del.stage(nil, created.URL, p.dest)
		e.mu.Unlock()
		return 0, context.Cause(ctx)
	}
	e.mu.Unlock()
	return 0, e.record(j, p, created, id, sent)
}

// record makes an upload the job's, on disk before it returns: its URL,
// the file's identity and the bound on what may have been offered.
func (e *Engine) record(j *job, p *plan, created transfer.Created, id localfile.Identity, sent int64) error {
	if err := e.durable(e.adopt(j, p, created, id, sent)); err != nil {
		return notRecorded("the new upload could not be recorded, so it was not sent. It goes on once the disk can be written.", err)
	}
	return nil
}

// adopt makes an upload the job's and stages its record, returning the
// write generation that puts it on disk.
func (e *Engine) adopt(j *job, p *plan, created transfer.Created, id localfile.Identity, sent int64) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.UploadURL, j.ident, j.sent = created.URL, &id, sent
	j.setFound(created.MediaID, created.Link, created.Expires)
	j.offered, j.offeredFor = 0, created.URL
	j.born = time.Now().UnixNano()
	b := store.Batch{}
	b.Put(store.Fingerprints, j.fp, upload{URL: created.URL, Sent: sent, Identity: &id}.encode())
	e.changed(j, b)
	p.upload, p.ident, p.sent = created.URL, &id, sent
	return e.lastGen
}

// raiseSent records, durably, that bytes up to offset may now reach the
// server: an offset it reports beyond that is a lie.
func (e *Engine) raiseSent(j *job, offset int64) error {
	e.mu.Lock()
	if j.sent >= offset {
		e.mu.Unlock()
		return nil
	}
	j.sent = offset
	b := store.Batch{}
	b.Put(store.Fingerprints, j.fp, upload{URL: j.UploadURL, Sent: offset, Identity: j.ident}.encode())
	e.stage(j, b)
	g := e.lastGen
	e.mu.Unlock()
	if err := e.durable(g); err != nil {
		return notRecorded("the upload's progress could not be recorded, so it stopped. It goes on once the disk can be written.", err)
	}
	return nil
}

// bound is what the server may hold of the job's upload at most: the
// bytes this process offered where it knows them, else the record's.
// Caller holds e.mu.
func (j *job) bound() int64 {
	if j.offeredFor == j.UploadURL && j.UploadURL != "" {
		return min(j.sent, j.offered)
	}
	return j.sent
}

// lowerSent brings the record's bound down to what a failed request
// really offered, so that after a restart too an offset beyond it is
// seen as the lie it is. No sync: the higher bound on disk is as safe.
func (e *Engine) lowerSent(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b := j.bound(); b < j.sent && j.UploadURL != "" && !j.removed {
		j.sent = b
		bt := store.Batch{}
		bt.Put(store.Fingerprints, j.fp, upload{URL: j.UploadURL, Sent: b, Identity: j.ident}.encode())
		e.stage(j, bt)
	}
}

// completed is the record of a finished job: a completion beside its
// fingerprint, which no longer needs the upload in progress.
func completed(j *job) store.Batch {
	b, x := store.Batch{}, j.extra()
	b.Put(store.Completions, j.fp, completion{URL: j.UploadURL, MediaID: x.MediaID, Link: x.Link, At: time.Now(), Size: j.Size}.encode())
	b.Delete(store.Fingerprints, j.fp)
	return b
}

// notRecorded stops an attempt whose records could not be written: the
// queue halts (and requeues the job); the job itself has not failed.
func notRecorded(what string, err error) error {
	e := storeError(what, err)
	e.Kind = fault.Transient
	return e
}
