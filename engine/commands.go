package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// Add queues a file for upload and returns once the job is on disk. Adding
// a file that already has a job for the same destination (same path, size
// and mtime) returns that job, set going again if it had stopped: the
// server's offset decides what is left to send, so nothing is sent twice.
func (e *Engine) Add(path string, dest Destination) (Job, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Job{}, fmt.Errorf("%s: %w", path, err)
	}
	fi, err := checkFile(abs)
	if err != nil {
		return Job{}, err
	}
	if err := CheckURL(dest.URL); err != nil {
		return Job{}, err
	}
	fp := fingerprint(abs, fi.Size(), fi.ModTime(), dest.URL)

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return Job{}, ErrClosed
	}
	key := jobKey(abs, dest.URL)
	if j := e.jobs[e.byKey[key]]; j != nil {
		// The same file to the same place: set its job going again. If the
		// file changed since, the job's next attempt starts it over.
		j.held = false
		j.Dest = cloneDest(dest)
		if !j.State.Active() {
			if j.State == Done {
				// Verify through the fingerprint; a changed file gets a new
				// upload and the finished one stays on the server.
				j.UploadURL = ""
			}
			j.Offset = j.confirmed
			if err := e.setState(j, Queued); err != nil {
				return Job{}, err
			}
		}
		e.schedule()
		return j.Job.clone(), nil
	}
	j := &job{Job: Job{
		ID:      e.newID(),
		Path:    abs,
		Size:    fi.Size(),
		ModTime: fi.ModTime(),
		Dest:    cloneDest(dest),
		State:   Queued,
		Added:   time.Now(),
	}, fp: fp}
	b, err := j.encode()
	if err == nil {
		err = e.store.PutJob(j.ID, b)
	}
	if err != nil {
		return Job{}, fmt.Errorf("Cannot save the job for %s in the queue database: %w", abs, err)
	}
	e.jobs[j.ID] = j
	e.order = append(e.order, j.ID)
	e.byKey[key] = j.ID
	e.bus.publish(JobAdded, j.Job.clone())
	e.schedule()
	return j.Job.clone(), nil
}

// checkFile says in a sentence why a path cannot be uploaded.
func checkFile(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, FileError(path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a folder; add the files inside it.", path)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file.", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, FileError(path, err)
	}
	f.Close()
	return fi, nil
}

// FileError is the sentence for a path that cannot be read.
func FileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist.", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("Cannot read %s: permission denied.", path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("Cannot read %s: %v.", path, err)
}

// CheckURL says in a sentence why a destination URL cannot be used.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an upload URL: it should look like https://host/files/.", raw)
	}
	return nil
}

// jobKey names a file and its destination: one job each.
func jobKey(path, dest string) string { return path + "\x00" + DestKey(dest) }

func cloneDest(d Destination) Destination {
	d.Header = d.Header.Clone()
	d.Meta = maps.Clone(d.Meta)
	return d
}

// lookup finds a job. Caller holds e.mu.
func (e *Engine) lookup(id string) (*job, error) {
	if e.closed {
		return nil, ErrClosed
	}
	j, ok := e.jobs[id]
	if !ok {
		return nil, fmt.Errorf("no job %s in the queue", id)
	}
	return j, nil
}

// Pause stops a job within a second, even mid-request; the server keeps
// what it received.
func (e *Engine) Pause(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	return e.pause(j)
}

func (e *Engine) pause(j *job) error {
	if err := e.setState(j, Paused); err != nil {
		return err
	}
	if j.cancel != nil {
		j.cancel(errPaused)
	}
	return nil
}

// Resume queues a paused job again.
func (e *Engine) Resume(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.State == Queued {
		j.held = false
		e.schedule()
		return nil
	}
	if j.State != Paused {
		return fmt.Errorf("only a paused job can be resumed; this one is %s", j.State)
	}
	return e.requeue(j)
}

// Retry queues a failed or cancelled job again.
func (e *Engine) Retry(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if j.State != Failed && j.State != Cancelled {
		return fmt.Errorf("only a failed or cancelled job can be retried; this one is %s", j.State)
	}
	return e.requeue(j)
}

func (e *Engine) requeue(j *job) error {
	j.held = false
	if err := e.setState(j, Queued); err != nil {
		return err
	}
	e.schedule()
	return nil
}

// Cancel stops a job for good and deletes its upload on the server where
// the server supports termination.
func (e *Engine) Cancel(id string) error {
	e.mu.Lock()
	j, err := e.lookup(id)
	if err == nil {
		err = e.cancel(j)
	}
	e.mu.Unlock()
	if err == nil {
		// Outside the lock: a disk sync must not hold up other jobs.
		e.fps.Delete(j.fp)
	}
	return err
}

// cancel stops a job; the caller forgets its fingerprint after unlocking.
func (e *Engine) cancel(j *job) error {
	if err := e.setState(j, Cancelled); err != nil {
		return err
	}
	if j.running {
		j.terminate = true
		j.cancel(errCancelled)
	} else {
		e.terminate(j)
	}
	return nil
}

// forgetLater deletes a fingerprint in the background, where its disk
// sync holds up nobody. Only for fingerprints no job will use again.
func (e *Engine) forgetLater(fp string) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.fps.Delete(fp)
	}()
}

// Remove takes a job off the list, cancelling it first if it is active.
// A finished job's fingerprint stays, so the file is still known as sent.
func (e *Engine) Remove(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, err := e.lookup(id)
	if err != nil {
		return err
	}
	if !j.State.Terminal() {
		if err := e.cancel(j); err != nil {
			return err
		}
		e.forgetLater(j.fp) // the job is gone: no later Set can race it
	}
	e.persist.put(id, nil)
	j.removed = true
	delete(e.jobs, id)
	if k := jobKey(j.Path, j.Dest.URL); e.byKey[k] == id {
		delete(e.byKey, k)
	}
	e.order = slices.DeleteFunc(e.order, func(s string) bool { return s == id })
	e.bus.publish(JobRemoved, j.Job.clone())
	return nil
}

// PauseAll pauses every active job.
func (e *Engine) PauseAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range e.order {
		if j := e.jobs[id]; j.State.Active() {
			e.pause(j)
		}
	}
}

// ResumeAll queues every paused job again and releases held ones.
func (e *Engine) ResumeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range e.order {
		j := e.jobs[id]
		j.held = false
		if j.State == Paused {
			e.setState(j, Queued)
		}
	}
	e.schedule()
}

// SetConcurrency sets how many uploads run at once. Running uploads beyond
// a lowered limit finish; no new ones start until there is room.
func (e *Engine) SetConcurrency(n int) error {
	if n < 1 {
		return fmt.Errorf("concurrency must be at least 1, not %d", n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.concurrency = n
	e.schedule()
	return nil
}

// SetRateLimit caps all uploads together at bytesPerSecond; 0 lifts the cap.
// It takes effect at once, mid-request too.
func (e *Engine) SetRateLimit(bytesPerSecond int64) {
	if bytesPerSecond <= 0 {
		e.limiter.SetLimit(rate.Inf)
		return
	}
	// A burst of a tenth of a second keeps the pace smooth.
	e.limiter.SetBurst(int(max(bytesPerSecond/10, 512)))
	e.limiter.SetLimit(rate.Limit(bytesPerSecond))
}
