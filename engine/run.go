package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
)

// run owns one job's transfer until it is done, fails, or its context is
// cancelled (pause, cancel, halt, shutdown: whoever cancels has set the
// state).
func (e *Engine) run(ctx context.Context, j *job) {
	defer e.wg.Done()
	defer e.exit(j)

	r := retries{waits: newRetryWaits(e.opts.MaxBackoff)}
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
		wait, failed := r.after(err, e.confirmedOf(j) > before)
		if failed != nil {
			e.fail(ctx, j, failed)
			return
		}
		if wait > 0 && !e.wait(ctx, j, err.Error(), wait) {
			return
		}
	}
}

// retries decides, after each attempt that failed, whether the job
// waits and tries again or fails. Errors are classified once, where they
// are made (fault.Kind); an error nobody classified is tried again a
// few times, never without end.
type retries struct {
	waits     *retryWaits
	conflicts int // 409s, 404s or impossible offsets in a row
	unknown   int // unclassified errors in a row
}

// after judges an attempt's error: the wait before the next attempt, or
// the error the job fails with. progressed: the server took bytes since
// the last attempt (its offset, asked by HEAD, went up), so the link
// works, a dropped connection says nothing more, and the next attempt
// goes at once; backoff is for attempts that got nowhere.
func (r *retries) after(err error, progressed bool) (time.Duration, error) {
	if progressed {
		r.waits.reset()
		r.conflicts, r.unknown = 0, 0
	}
	var te *fault.Error
	switch {
	case !errors.As(err, &te):
		r.unknown++
		if r.unknown >= maxUnknown {
			return 0, &fault.Error{Kind: fault.Permanent, Code: fault.CodeUnclassified, Err: err,
				Msg: fmt.Sprintf("Failed %d times in a row for a reason Ferry cannot classify: %v. Retry it; if it keeps failing, report it with this sentence.", r.unknown, err)}
		}
		if progressed {
			return 0, nil
		}
		return r.waits.next(), nil
	case te.Kind == fault.Permanent:
		return 0, err
	case te.Kind == fault.Conflict || te.Kind == fault.Gone:
		// The next attempt asks the server; back off if it keeps
		// disagreeing, and give up if it never stops.
		r.conflicts++
		if r.conflicts > maxConflicts {
			return 0, &fault.Error{Kind: fault.Permanent, Code: fault.CodeConflict, Err: err,
				Msg: fmt.Sprintf("The server keeps disagreeing about the upload (%v, %d times in a row). Retry it later, or check the server.", err, r.conflicts)}
		}
		if r.conflicts > 3 {
			return r.waits.next(), nil
		}
		return 0, nil
	case errors.Is(err, errChanged):
		return 0, nil // the next attempt waits for the file to be still
	case fault.RetryAfterOf(err) > 0:
		return max(r.waits.next(), fault.RetryAfterOf(err)), nil
	case !progressed && !transfer.IsReshape(err):
		return r.waits.next(), nil
	}
	return 0, nil
}

// maxUnknown is how many unclassified errors in a row, with no progress
// between, make a job fail.
const maxUnknown = 5

// retryWaits are the waits between attempts that got nowhere: 0.5 s,
// doubling, ±50 % so that many jobs do not come back at once, and never
// past the cap, which is a promise (jitter alone may push past it).
type retryWaits struct {
	bo  backoff.ExponentialBackOff
	max time.Duration
}

func newRetryWaits(max time.Duration) *retryWaits {
	w := &retryWaits{max: max, bo: backoff.ExponentialBackOff{
		InitialInterval:     firstWait,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         max,
	}}
	w.bo.Reset()
	return w
}

// firstWait is the wait after the first attempt that got nowhere.
const firstWait = 500 * time.Millisecond

func (w *retryWaits) next() time.Duration { return min(w.bo.NextBackOff(), w.max) }

// reset starts over from firstWait: the link worked again.
func (w *retryWaits) reset() { w.bo.Reset() }

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
// While it sleeps its slot goes to another job; once awake it takes a slot
// again when one is free.
func (e *Engine) wait(ctx context.Context, j *job, why string, d time.Duration) bool {
	e.mu.Lock()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return false
	}
	// The bar holds where it is: the bytes sent may well be on the server,
	// and the next attempt asks it before anything else.
	j.setWait(why, time.Now().Add(d))
	if j.State == Waiting {
		e.changed(j)
	} else {
		e.setState(j, Waiting)
	}
	// A bounded number of sleepers give their slot up, so a queue of
	// thousands for a dead server does not become thousands of goroutines.
	freed := e.sleeping < max(16, 4*e.concurrency)
	if freed {
		e.sleep(j, 1)
		e.schedule()
	}
	e.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if freed {
				e.mu.Lock()
				e.sleep(j, -1)
				e.mu.Unlock()
			}
			return false
		case <-t.C:
		}
		if !freed {
			return true
		}
		e.mu.Lock()
		if e.free(j.lane) {
			e.sleep(j, -1)
			e.mu.Unlock()
			return true
		}
		if j.extra().Reason != slotReason {
			j.setWait(slotReason, time.Time{})
			e.changed(j)
		}
		e.mu.Unlock()
		t.Reset(slotPoll)
	}
}

// sleep counts a job giving its slot up (+1) or taking one back (-1).
// Caller holds e.mu.
func (e *Engine) sleep(j *job, d int) {
	e.sleeping += d
	e.lanes[j.lane].sleeping += d
}

// A job whose backoff ended while every slot is taken looks again this
// often (a handful of such jobs at most: concurrency bounds them).
const slotPoll = 250 * time.Millisecond

const slotReason = "Waiting for a free upload slot"

// finish marks a job done, with its completion record in the same
// transaction: from now on the file is known as sent.
func (e *Engine) finish(ctx context.Context, j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	j.Offset, j.confirmed = j.Size, j.Size
	j.ident = nil // no resume needs it now: a queue of done files keeps no hashes
	e.setState(j, Done, completed(j))
}

func (e *Engine) fail(ctx context.Context, j *job, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	j.Offset = j.confirmed
	j.setError(err.Error(), fault.CodeOf(err))
	e.setState(j, Failed)
}

// exit releases the job's slot, terminates a cancelled upload on the
// server, and lets the next job start.
func (e *Engine) exit(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.running, j.cancel = false, nil
	j.lastMoved = j.moved // counted in Totals.Sent; its next start starts its speed afresh
	delete(e.running, j)
	e.lanes[j.lane].running--
	e.account(j) // Offset stays a hint (bytes acknowledged) until a HEAD says
	if j.terminate {
		j.terminate = false
		e.terminate(j)
	}
	if _, dirty := e.dirty[j]; dirty {
		e.changed(j)
	}
	e.offer(j)
	e.schedule()
}

// target builds the transfer's view of a destination, secrets included.
// d is resolved (a saved destination's secrets are in its headers); a URL
// given for one run gets the secrets given with it.
func (e *Engine) target(d Destination, path string) transfer.Target {
	endpoint := d.Endpoint()
	h := d.Header.Clone()
	if h == nil {
		h = make(map[string][]string)
	}
	if d.Name == "" {
		secret, full := e.secretsFor(d.URL)
		for k, v := range secret {
			h[k] = v
		}
		endpoint = full
	}
	meta := map[string]string{}
	if path != "" {
		meta["filename"] = filepath.Base(path)
		meta["filetype"] = fileType(path)
		if fm := d.Provider().FileMeta; fm != nil {
			maps.Copy(meta, fm(filepath.Base(path)))
		}
	}
	for k, v := range d.Meta {
		meta[k] = v
	}
	t := transfer.Target{Endpoint: endpoint, Header: h, Metadata: meta, ChunkSize: d.Chunk()}
	if d.Provider().TokenAPI {
		// The token is for the provider's API: the upload URL it hands out
		// never needs it, even on the API's own origin.
		t.Header, t.CreateHeader = nil, h
	}
	return t
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
	p.j.flowing = true
	p.e.totals.Sent += n
	p.e.dirty[p.j] = struct{}{}
	p.e.mu.Unlock()
}

func (p jobProgress) Offered(end int64) {
	p.e.mu.Lock()
	if p.j.offeredFor == p.j.UploadURL {
		p.j.offered = max(p.j.offered, end)
	}
	p.e.mu.Unlock()
}

func (p jobProgress) Accepted(offset int64, mediaID string) {
	p.e.mu.Lock()
	p.j.confirmed, p.j.Offset = offset, offset
	if mediaID != "" {
		p.j.edit().MediaID = mediaID
	}
	p.e.dirty[p.j] = struct{}{}
	p.e.mu.Unlock()
}

// Reconnecting is an uploading job's Reason while it asks the server how
// much of the upload it holds, before bytes flow again.
const Reconnecting = "Reconnecting"

// reconnecting marks the start of an attempt that asks the server first:
// the job's bar holds at its offset and its row says why nothing moves.
func (e *Engine) reconnecting(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.State == Uploading && j.extra().Reason != Reconnecting {
		j.edit().Reason = Reconnecting
		e.bus.Publish(Event{Type: JobChanged, Job: j.view()})
	}
}

// resumeAt sets the job to the offset the server gave (its HEAD, or 0 for
// a new upload): the truth, even below the bar shown (bytes lost with the
// connection). Its bytes flow from here.
func (e *Engine) resumeAt(j *job, upload string, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := j.Offset != offset || j.extra().Reason != ""
	j.UploadURL, j.Offset, j.confirmed = upload, offset, offset
	if j.State == Uploading && changed {
		j.setWait("", time.Time{})
		e.dirty[j] = struct{}{}
		e.account(j)
		e.bus.Publish(Event{Type: JobChanged, Job: j.view()})
	}
}
