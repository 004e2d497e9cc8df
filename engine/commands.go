package engine

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// Added is what became of one path given to AddMany.
type Added struct {
	Path string
	Job  AddedJob // the job it is now; Engine.Job has the rest
	Err  error    // why the path was not queued
}

// AddedJob is what AddMany tells of a job: a folder of 100 000 files is
// not answered with 100 000 copies of whole jobs.
type AddedJob struct {
	ID      string
	Size    int64
	State   State
	Already bool // uploaded before: nothing to send
}

func addedJob(j *job) AddedJob {
	return AddedJob{ID: j.ID, Size: j.Size, State: j.State, Already: j.Already}
}

// Add queues one file for upload and returns once the job is on disk.
// Adding a file that already has a job for the same destination (same
// path, size and mtime) returns that job, set going again if it had
// stopped; a file uploaded before (a completion record) comes back done,
// with its URL, and nothing is sent.
func (e *Engine) Add(path string, dest Destination) (Job, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return Job{}, fault.Wrap(fault.CodeFileUnreadable, nil, "%s is a folder; add the files inside it.", path)
	}
	res := e.AddMany([]string{path}, dest)
	if len(res) == 0 {
		return Job{}, fault.Wrap(fault.CodeFileUnreadable, nil, "There is nothing to upload at %s.", path)
	}
	if res[0].Err != nil {
		return Job{}, res[0].Err
	}
	j, _ := e.Job(res[0].Job.ID)
	return j, nil
}

// AddMany queues files and folders (walked as Expand does), a chunk of
// them per transaction: every job is on disk before it returns, and none
// starts before its chunk is. The result has an entry per file found and
// per path that could not be queued.
func (e *Engine) AddMany(paths []string, dest Destination) []Added {
	files, bad := localfile.Expand(paths)
	out := make([]Added, 0, len(files)+len(bad))
	for _, b := range bad {
		out = append(out, Added{Path: b.Path, Err: walkCoded(b.Err)})
	}
	dest, err := e.destinationFor(dest)
	if err != nil {
		for _, f := range files {
			out = append(out, Added{Path: f, Err: err})
		}
		return out
	}
	// One copy for all the jobs of this call: their destination's maps
	// are shared and never changed in place (views and records clone
	// before they redact), so 100 000 files do not hold 100 000 header maps.
	shared := new(cloneDest(dest))

	// The files, read outside the lock.
	var cands []candidate
	var gone []Added // files not there: their jobs may still be finished on the server
	for _, f := range files {
		fi, err := checkFile(f)
		if fault.CodeOf(err) == fault.CodeFileGone {
			gone = append(gone, Added{Path: f, Err: err})
			continue
		}
		if err != nil {
			out = append(out, Added{Path: f, Err: err})
			continue
		}
		cands = append(cands, candidate{path: f, size: fi.Size(), mtime: fi.ModTime(), fp: fingerprint(f, fi.Size(), fi.ModTime(), dest)})
	}
	fps := make([]string, len(cands))
	for i, c := range cands {
		fps[i] = c.fp
	}
	done := e.completions(fps)
	for i := range cands {
		cands[i].done = done[cands[i].fp]
	}

	var failed error // a chunk could not be recorded: the rest is not tried
	for len(cands) > 0 || gone != nil {
		n := min(len(cands), addChunkSize)
		if failed == nil {
			out, failed = e.addChunk(out, gone, cands[:n], shared)
		} else {
			for _, c := range cands[:n] {
				out = append(out, Added{Path: c.path, Err: failed})
			}
		}
		cands, gone = cands[n:], nil
	}
	return out
}

// addChunkSize is how many new jobs go in one transaction: a folder of
// 100 000 files is not one transaction the size of its whole queue, and
// the first uploads start while the rest is being added.
const addChunkSize = 2048

// candidate is a file to queue, as AddMany found it.
type candidate struct {
	path  string
	size  int64
	mtime time.Time
	fp    string
	done  *completion
}

// addChunk queues cands (and sets going again the jobs of files gone) in
// one transaction, appending their results to out. It returns the error
// that kept them from being recorded, if one did.
func (e *Engine) addChunk(out, gone []Added, cands []candidate, dest *Destination) ([]Added, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		out = append(out, gone...)
		for _, c := range cands {
			out = append(out, Added{Path: c.path, Err: shutDown()})
		}
		return out, shutDown()
	}
	var fresh, again []*job
	e.batch = store.Batch{} // every record below, in one transaction
	for _, g := range gone {
		// A file moved or deleted since its upload began: the server's
		// offset decides (an upload it holds whole is done).
		if j := e.byKey[jobKey(g.Path, *dest)]; j != nil && (j.UploadURL != "" || j.State == Done) {
			e.readdGone(j)
			again = append(again, j)
			g.Job, g.Err = addedJob(j), nil
		}
		out = append(out, g)
	}
	first := len(out)
	for _, c := range cands {
		j := e.byKey[jobKey(c.path, *dest)]
		switch {
		case j != nil && !j.removed:
			e.readd(j, c.fp, dest, c.done)
			again = append(again, j)
		default:
			j = e.newJob(c.path, c.size, c.mtime, c.fp, dest, c.done)
			fresh = append(fresh, j)
		}
		out = append(out, Added{Path: c.path, Job: AddedJob{ID: j.ID}})
	}
	e.write(e.batch)
	e.batch = nil
	g := e.lastGen
	e.mu.Unlock()

	err := e.durable(g)

	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		// Not recorded: not queued. Undo the new jobs on disk too, so
		// a later successful write does not bring them back.
		b := store.Batch{}
		for _, j := range fresh {
			b.Delete(store.Jobs, j.ID)
			e.forgetJob(j)
		}
		e.write(b)
		serr := storeError("the file was not queued. Free disk space or check the disk, then add it again.", err)
		for i := first; i < len(out); i++ {
			out[i].Job, out[i].Err = AddedJob{}, serr
		}
		return out, serr
	}
	for _, j := range fresh {
		e.bus.Publish(Event{Type: JobAdded, Job: j.view()})
		e.offer(j)
	}
	for _, j := range again {
		e.offer(j)
	}
	e.schedule()
	for i := first; i < len(out); i++ {
		if j := e.jobs[out[i].Job.ID]; j != nil {
			out[i].Job = addedJob(j)
		}
	}
	return out, nil
}

// readdGone sets going again the job of a file that is no longer there,
// for its server to say whether it holds the upload whole. Caller holds
// e.mu.
func (e *Engine) readdGone(j *job) {
	j.held = false
	if j.State == Done {
		j.Already = true
		e.changed(j)
		return
	}
	if !j.State.Active() {
		e.setState(j, Queued)
	}
}

// newJob makes and stages the job for a file not in the queue. Caller
// holds e.mu.
func (e *Engine) newJob(path string, size int64, mtime time.Time, fp string, dest *Destination, done *completion) *job {
	id, seq := e.newID()
	j := &job{ID: id, Path: path, Size: size, ModTime: mtime, Dest: dest, State: Queued, Added: time.Now(), seq: seq, fp: fp}
	if done != nil {
		done.apply(j)
		j.State = Done
	}
	e.jobs[id] = j
	e.byKey[jobKey(path, *dest)] = j
	e.appendOrder(j)
	e.stage(j)
	e.account(j)
	return j
}

// readd sets an existing job going again. Caller holds e.mu.
func (e *Engine) readd(j *job, fp string, dest *Destination, done *completion) {
	j.held = false
	j.Dest = dest
	switch {
	case j.State == Done && j.fp == fp:
		j.Already = true // the same file, finished: nothing to do
		e.changed(j)
	case done != nil:
		done.apply(j) // finished before, by an earlier job of this file
		e.setState(j, Done)
	case j.State.Active():
		e.changed(j) // its next attempt sees whether the file changed
	default:
		// Failed, cancelled, paused, or done with a file that changed
		// since: the server's offset decides what is left.
		j.Offset, j.Already = j.confirmed, false
		if j.State == Done {
			j.letGo()
		}
		if err := e.setState(j, Queued); err != nil {
			e.changed(j)
		}
	}
}

// forgetJob takes a job out of memory. Caller holds e.mu.
func (e *Engine) forgetJob(j *job) {
	j.removed = true
	e.account(j)
	delete(e.jobs, j.ID)
	if k := jobKey(j.Path, *j.Dest); e.byKey[k] == j {
		delete(e.byKey, k)
	}
	e.dropOrder(j)
	delete(e.dirty, j)
}

// checkFile says in a sentence why a path cannot be uploaded.
func checkFile(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, localfile.Error(path, err)
	case fi.IsDir():
		return nil, fault.Wrap(fault.CodeFileUnreadable, nil, "%s is a folder; add the files inside it.", path)
	case !fi.Mode().IsRegular():
		return nil, fault.Wrap(fault.CodeFileUnreadable, nil, "%s is not a regular file.", path)
	}
	f, err := localfile.Open(path)
	if err != nil {
		if localfile.Busy(path) {
			return fi, nil // an export still running: the job waits for it
		}
		return nil, localfile.Error(path, err)
	}
	f.Close()
	return fi, nil
}

// walkCoded gives a walk's sentence (an empty folder, one that cannot be
// read) the code a front-end acts on; errors.Is still sees through it.
func walkCoded(err error) error {
	switch {
	case fault.CodeOf(err) != "":
		return err
	case errors.Is(err, fs.ErrNotExist):
		return fault.Wrap(fault.CodeFileGone, err, "%s", err.Error())
	}
	return fault.Wrap(fault.CodeFileUnreadable, err, "%s", err.Error())
}

// shutDown is every command's answer once Close has begun; errors.Is
// still finds ErrClosed.
func shutDown() *fault.Error {
	return fault.Wrap(fault.CodeClosed, ErrClosed, "Ferry is shutting down; nothing was done. Do it again once Ferry runs.")
}

// wrongState is the sentence for a command that does not fit a job's state.
func wrongState(format string, args ...any) *fault.Error {
	return fault.Wrap(fault.CodeWrongState, nil, format, args...)
}

// lookup finds a job. Caller holds e.mu.
func (e *Engine) lookup(id string) (*job, error) {
	if e.closed {
		return nil, shutDown()
	}
	j, ok := e.jobs[id]
	if !ok {
		return nil, fault.Wrap(fault.CodeNoJob, nil, "There is no job %s in the queue; ferry queue lists them.", id)
	}
	return j, nil
}

// each runs a command on jobs by id under the lock, then waits until its
// changes are on disk. The first error is returned; the others still run.
func (e *Engine) each(ids []string, fn func(j *job) error) error {
	e.mu.Lock()
	var first error
	for _, id := range ids {
		j, err := e.lookup(id)
		if err == nil {
			err = fn(j)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	e.schedule()
	g := e.lastGen
	e.mu.Unlock()
	if err := e.durable(g); err != nil && !errors.Is(err, ErrClosed) {
		return storeError("the change may be lost. Free disk space or check the disk, then do it again.", err)
	}
	return first
}

// Pause stops jobs within a second, even mid-request; the server keeps
// what it received. It never waits on the disk.
func (e *Engine) Pause(ids ...string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var first error
	for _, id := range ids {
		j, err := e.lookup(id)
		if err == nil {
			err = e.pause(j)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (e *Engine) pause(j *job) error {
	if err := e.setState(j, Paused); err != nil {
		return wrongState("Only an unfinished job can be paused; %s is %s.", j.Path, j.State)
	}
	if j.cancel != nil {
		j.cancel(errPaused)
	}
	return nil
}

// Resume queues paused jobs again (and releases held ones).
func (e *Engine) Resume(ids ...string) error {
	return e.each(ids, func(j *job) error {
		j.held = false
		switch j.State {
		case Queued:
			e.offer(j)
			return nil
		case Paused:
			return e.setState(j, Queued)
		}
		return wrongState("Only a paused job can be resumed; %s is %s.", j.Path, j.State)
	})
}

// Retry queues failed or cancelled jobs again.
func (e *Engine) Retry(ids ...string) error {
	return e.each(ids, func(j *job) error {
		if j.State != Failed && j.State != Cancelled {
			return wrongState("Only a failed or cancelled job can be retried; %s is %s.", j.Path, j.State)
		}
		j.held = false
		return e.setState(j, Queued)
	})
}

// Cancel stops jobs for good and deletes their uploads on the server
// (where it supports termination). An upload the server holds whole is
// never deleted: its job ends done, with its result, once the server
// says so (see keptWhole); a job already done is answered with where its
// file is (CodeArrived).
func (e *Engine) Cancel(ids ...string) error {
	return e.each(ids, e.cancel)
}

// cancel stops a job. Caller holds e.mu.
func (e *Engine) cancel(j *job) error {
	if j.State == Done {
		return arrived(j)
	}
	// Its upload is deleted next, unless the server holds it whole: the
	// cancel is not the last word yet.
	deleting := j.Deleting
	j.Deleting = j.UploadURL != "" && !j.removed
	if err := e.setState(j, Cancelled); err != nil {
		j.Deleting = deleting
		return wrongState("%s is %s; it cannot be cancelled.", j.Path, j.State)
	}
	if j.running {
		j.terminate = true
		j.cancel(errCancelled)
	} else {
		e.terminate(j)
	}
	return nil
}

// arrived answers a cancel of a job that is done: the file is there, and
// where.
func arrived(j *job) *fault.Error {
	x, where := j.extra(), ""
	switch {
	case x.Link != "":
		where = " at " + x.Link
	case j.UploadURL != "":
		where = " at " + dest.RedactURL(j.UploadURL)
	}
	if x.MediaID != "" {
		where += " (media id " + x.MediaID + ")"
	}
	return fault.Wrap(fault.CodeArrived, nil, "%s had already arrived%s; nothing was cancelled, and the upload stays on the server.", j.Path, where)
}

// Remove takes jobs off the list, cancelling active ones first. A finished
// job's completion record stays, so the file is still known as sent.
func (e *Engine) Remove(ids ...string) error {
	return e.each(ids, func(j *job) error {
		if !j.State.Terminal() {
			if err := e.cancel(j); err != nil {
				return err
			}
		}
		b := store.Batch{}
		b.Delete(store.Jobs, j.ID)
		if j.UploadURL == "" {
			b.Delete(store.Fingerprints, j.fp)
		}
		e.write(b)
		e.forgetJob(j)
		e.bus.Publish(Event{Type: JobRemoved, Job: j.view()})
		return nil
	})
}

// PauseAll pauses every active job.
func (e *Engine) PauseAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.order {
		if j != nil && j.State.Active() {
			e.pause(j)
		}
	}
}

// ResumeAll queues every paused job again and releases held ones.
func (e *Engine) ResumeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.order {
		if j == nil {
			continue
		}
		j.held = false
		if j.State == Paused {
			e.setState(j, Queued)
		} else {
			e.offer(j)
		}
	}
	e.schedule()
}

// SetConcurrency sets how many uploads run at once. Running uploads beyond
// a lowered limit finish; no new ones start until there is room.
func (e *Engine) SetConcurrency(n int) error {
	if n < 1 {
		return fault.Wrap(fault.CodeBadSetting, nil, "Concurrency must be at least 1, not %d.", n)
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

// Limits are the concurrency and the rate limit in force (0: none), as
// the window's settings show them.
func (e *Engine) Limits() (concurrency int, bytesPerSecond int64) {
	e.mu.Lock()
	n := e.concurrency
	e.mu.Unlock()
	if l := e.limiter.Limit(); l != rate.Inf {
		bytesPerSecond = int64(l)
	}
	return n, bytesPerSecond
}

// destinationFor is what jobs record of a destination: a saved one's
// settings (no secrets), or a URL given for one run with its secrets kept
// in memory.
func (e *Engine) destinationFor(d Destination) (Destination, error) {
	if d.Name != "" {
		e.mu.Lock()
		saved, ok := e.saved[d.Name]
		e.mu.Unlock()
		if !ok {
			return d, noDestination(d.Name)
		}
		return cloneDest(saved), nil
	}
	if err := d.Check(); err != nil {
		return d, err
	}
	return e.takeSecrets(d), nil
}

// takeSecrets keeps a destination URL's user-info and signing parameters
// in memory, and gives the job the URL without them.
func (e *Engine) takeSecrets(d Destination) Destination {
	if !dest.HasSecrets(d.URL) {
		return d
	}
	e.secMu.Lock()
	e.keepURL(d.URL)
	e.secMu.Unlock()
	d.URL = dest.StripSecrets(d.URL)
	return d
}
