package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
)

// deleter terminates uploads on their servers (a cancelled job's, a
// changed file's old one), a few at a time per host, never one goroutine
// and one connection per job. An upload is forgotten only once its DELETE
// succeeded or its server said it is gone; until then it is recorded (the
// deletes bucket) and tried again later, also by the next process.
type deleter struct {
	e *Engine

	mu      sync.Mutex
	queue   map[string][]pendingDelete // host → waiting
	busy    map[string]int             // host → deletions running
	stopped bool
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	idle    *sync.Cond
	retries []*time.Timer
}

// perHost bounds the deletions running at once against one server.
const perHost = 2

// pendingDelete is an upload to delete; its record needs no secrets (they
// come from the destination's headers in this process). A cancelled job's
// upload names the job and its result, which the job gets back should the
// server hold the upload whole.
type pendingDelete struct {
	URL     string      `json:"url"`
	Dest    Destination `json:"dest"`
	Tries   int         `json:"tries"`
	Job     string      `json:"job,omitempty"`
	Size    int64       `json:"size,omitempty"`
	MediaID string      `json:"media_id,omitempty"`
	Link    string      `json:"link,omitempty"`
}

func newDeleter(e *Engine) *deleter {
	ctx, stop := context.WithCancel(context.Background())
	d := &deleter{e: e, queue: map[string][]pendingDelete{}, busy: map[string]int{}, ctx: ctx, stop: stop}
	d.idle = sync.NewCond(&d.mu)
	return d
}

// stage records a deletion in b (or on its own when b is nil) and starts
// it. Caller holds e.mu.
func (d *deleter) stage(b store.Batch, uploadURL string, dest Destination) {
	d.put(b, pendingDelete{URL: uploadURL, Dest: cloneDest(dest)})
}

// put records pd in b (or on its own when b is nil) and starts it.
// Caller holds e.mu.
func (d *deleter) put(b store.Batch, pd pendingDelete) {
	onDisk := pd
	onDisk.Dest.Header = nil // secrets stay in memory; the engine adds them per request
	onDisk.Dest.URL = dest.StripSecrets(pd.Dest.URL)
	rec, _ := json.Marshal(onDisk)
	if b == nil {
		b = store.Batch{}
		b.Put(store.Deletes, pd.URL, rec)
		d.e.write(b)
	} else {
		b.Put(store.Deletes, pd.URL, rec)
	}
	d.add(pd)
}

// dropDamaged says, and forgets, the deletions left to do whose record
// cannot be read: they could never be tried, and would wait unseen for
// ever. The sentence names the upload, so the user can delete it on its
// server.
func (d *deleter) dropDamaged() {
	b := store.Batch{}
	d.e.store.Each(store.Deletes, func(url string, v []byte) error {
		if _, ok := decodeDelete(v); !ok {
			b.Delete(store.Deletes, url)
			if d.e.opts.Warn != nil {
				d.e.opts.Warn(fmt.Sprintf("A deletion an earlier Ferry left to do could not be read, so it will not be tried: the upload %s may stay on its server. Delete it there if it should go.", dest.RedactURL(url)))
			}
		}
		return nil
	})
	if b.Len() > 0 {
		d.e.mu.Lock()
		d.e.write(b)
		d.e.mu.Unlock()
	}
}

// decodeDelete reads a deletion's record.
func decodeDelete(v []byte) (pendingDelete, bool) {
	var pd pendingDelete
	if json.Unmarshal(v, &pd) != nil || pd.URL == "" {
		return pendingDelete{}, false
	}
	return pd, true
}

// resume takes up the deletions an earlier process left.
func (d *deleter) resume() {
	var todo []pendingDelete
	d.e.store.Each(store.Deletes, func(_ string, v []byte) error {
		if pd, ok := decodeDelete(v); ok {
			todo = append(todo, pd)
		}
		return nil
	})
	for _, pd := range todo {
		d.add(pd)
	}
}

func (d *deleter) add(pd pendingDelete) {
	host := hostKey(pd.URL)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if d.busy[host] >= perHost {
		d.queue[host] = append(d.queue[host], pd)
		return
	}
	d.busy[host]++
	d.wg.Add(1)
	go d.work(host, pd)
}

// work deletes uploads of one host until none wait.
func (d *deleter) work(host string, pd pendingDelete) {
	defer d.wg.Done()
	for {
		d.do(pd)
		d.mu.Lock()
		q := d.queue[host]
		if len(q) == 0 || d.stopped {
			d.busy[host]--
			d.idle.Broadcast()
			d.mu.Unlock()
			return
		}
		pd, d.queue[host] = q[0], q[1:]
		if len(d.queue[host]) == 0 {
			delete(d.queue, host)
		}
		d.mu.Unlock()
	}
}

// do deletes one upload, unless its server holds it whole: an upload
// complete on the server is never terminated (a cancel that raced its
// last byte, or came after it, leaves a finished file and a job done).
// Either way its job hears that the first try is over (settled).
func (d *deleter) do(pd pendingDelete) {
	whole, length, err := d.ask(pd)
	if err != nil && d.ctx.Err() == nil {
		d.retry(pd)
	}
	d.e.mu.Lock()
	defer d.e.mu.Unlock()
	defer d.e.settled(pd) // a later try is not waited for: the job is cancelled
	if err != nil {
		return
	}
	b := store.Batch{}
	b.Delete(store.Deletes, pd.URL)
	if whole {
		d.e.keptWhole(pd, length, b)
		return
	}
	d.e.write(b)
}

// ask deletes pd's upload on its server, or finds it whole there (and
// its length); an upload the server no longer has counts as deleted. A
// destination removed with its token is an error: the record is kept
// for a later try, should it come back.
func (d *deleter) ask(pd pendingDelete) (whole bool, length int64, err error) {
	ctx, cancel := context.WithTimeout(d.ctx, 30*time.Second)
	defer cancel()
	dest, err := d.e.resolve(pd.Dest)
	if err != nil {
		return false, 0, err
	}
	t := d.e.target(dest, "")
	off, length, err := d.e.client.Offset(ctx, t, pd.URL)
	switch {
	case fault.KindOf(err) == fault.Gone:
		return false, 0, nil
	case err == nil && (length >= 0 && off == length || length < 0 && pd.Job != "" && off == pd.Size):
		return true, length, nil
	case err == nil:
		err = d.e.client.Terminate(ctx, t, pd.URL)
	}
	if fault.KindOf(err) == fault.Gone {
		err = nil
	}
	return false, length, err
}

// settled tells that the first try at deleting a cancelled job's upload
// is over: the job is what it will stay (cancelled, or done if the server
// held it whole). Caller holds e.mu.
func (e *Engine) settled(pd pendingDelete) {
	if j := e.jobs[pd.Job]; j != nil && j.Deleting {
		j.Deleting = false
		if !j.removed {
			e.changed(j)
		}
	}
}

// retry tries a failed deletion again later, less often each time.
func (d *deleter) retry(pd pendingDelete) {
	pd.Tries++
	wait := min(time.Duration(1<<min(pd.Tries, 10))*time.Second, 10*time.Minute)
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		d.retries = append(d.retries, time.AfterFunc(wait, func() { d.add(pd) }))
	}
}

// close gives running deletions a moment (a "ferry cancel" should delete
// before it exits), then stops; what is left is tried by the next process.
func (d *deleter) close() {
	done := make(chan struct{})
	go func() {
		d.mu.Lock()
		for len(d.busy) > 0 && !d.allIdle() {
			d.idle.Wait()
		}
		d.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	d.mu.Lock()
	d.stopped = true
	for _, t := range d.retries {
		t.Stop()
	}
	d.mu.Unlock()
	d.stop()
	d.wg.Wait()
	d.mu.Lock()
	d.idle.Broadcast()
	d.mu.Unlock()
	<-done
}

func (d *deleter) allIdle() bool {
	for _, n := range d.busy {
		if n > 0 {
			return false
		}
	}
	return true
}

func hostKey(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return raw
}

// terminate gives a job's server upload to the deleter and clears it from
// the job. Caller holds e.mu.
func (e *Engine) terminate(j *job) {
	b := store.Batch{}
	b.Delete(store.Fingerprints, j.fp)
	if j.UploadURL != "" {
		x := j.extra()
		e.del.put(b, pendingDelete{URL: j.UploadURL, Dest: cloneDest(*j.Dest),
			Job: j.ID, Size: j.Size, MediaID: x.MediaID, Link: x.Link})
		j.Deleting = !j.removed
	}
	j.letGo()
	if j.removed {
		e.write(b) // the job's record is gone; the rest still goes
		return
	}
	e.changed(j, b)
}

// keptWhole ends a cancelled job whose upload its server holds whole as
// what it is, done with its result: the cancel came after the last byte
// (or its answer was lost), and no byte of it is lost now. A job that
// went on meanwhile (retried, removed, with another upload) is left as it
// is. b (the deletion's record) goes in the same transaction. Caller
// holds e.mu.
func (e *Engine) keptWhole(pd pendingDelete, length int64, b store.Batch) {
	j := e.jobs[pd.Job]
	if j == nil || j.removed || j.State != Cancelled || j.UploadURL != "" || length >= 0 && length != j.Size {
		e.write(b)
		return
	}
	j.UploadURL = pd.URL
	j.setFound(pd.MediaID, pd.Link, time.Time{})
	j.Offset, j.confirmed = j.Size, j.Size
	j.note("It had arrived whole before it was cancelled; the upload was kept")
	j.Deleting = false
	b.Merge(completed(j))
	e.setState(j, Done, b)
}
