// Package engine owns Ferry's upload jobs: the queue, its scheduler, the
// transfers and their persistence. The CLI, the window and the tests drive
// it through one API; it never imports a UI toolkit.
package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/bus"
	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
)

// Options configure an Engine. Zero values mean the defaults.
type Options struct {
	DataDir     string // where the queue database lives (required)
	Concurrency int    // uploads at once; default 3
	RateLimit   int64  // bytes per second for all uploads together; 0 = unlimited
	// StallTimeout abandons a request that moved no bytes; default 12 s.
	StallTimeout time.Duration
	// ResponseTimeout bounds the wait for the server's answer once a whole
	// request body is acknowledged (S3 assembly, hooks); default 2 min.
	ResponseTimeout time.Duration
	// MaxBackoff caps the wait between tries of a transient error; default 5 s.
	MaxBackoff time.Duration
	// Settle is how long a file that changed during its upload must stay
	// still before it starts over; default 5 s.
	Settle time.Duration
	// Tick is how often speed, totals and progress events are computed;
	// default 500 ms.
	Tick time.Duration
	// PersistEvery bounds how often progress is written; default 2 s.
	PersistEvery time.Duration
	// Keychain keeps saved destinations' secrets; nil: none can be saved.
	Keychain Secrets
	// Warn hears sentences to say once: records of the queue that could
	// not be read, and what was done about them. nil: not said.
	Warn func(sentence string)
}

// ErrClosed is returned by commands after Close.
var ErrClosed = errors.New("the engine is shut down")

// The causes given to a job's context, so its goroutine knows who stopped it.
var (
	errPaused    = errors.New("paused")
	errCancelled = errors.New("cancelled")
	errShutdown  = errors.New("shutting down")
	errHalted    = errors.New("the queue cannot be recorded")
)

// Engine runs upload jobs.
type Engine struct {
	opts    Options
	store   *store.Store
	w       *store.Writer
	del     *deleter
	client  *transfer.Client
	limiter *rate.Limiter
	bus     *bus.Bus[Event]

	mu          sync.Mutex
	jobs        map[string]*job
	order       []*job // in add order; nil where a job was removed
	holes       int
	byKey       map[fileKey]*job // one job per file and place
	lanes       [2]lane          // big files, small files
	running     map[*job]struct{}
	sleeping    int                    // running jobs in a backoff wait, all lanes: they give their slot up meanwhile
	dirty       map[*job]struct{}      // progress not yet staged for disk
	saved       map[string]Destination // saved destinations by name
	defaultDest string
	totals      Totals
	told        Totals      // the totals last published
	batch       store.Batch // non-nil: stage collects here, for one transaction
	halted      *fault.Error
	lastGen     uint64 // the newest write generation staged
	concurrency int
	closed      bool // under mu; closeOnce runs close once for every Close
	closeOnce   sync.Once
	closeErr    error
	lastID      uint64 // the newest job id, as a number

	keyMu sync.Mutex
	idKey []byte // the data dir's key for naming uploads; nil until first needed

	secMu   sync.Mutex
	headers map[string]http.Header // destination key → headers given to this process
	urls    map[string]string      // destination key → its URL with the secrets on disk left out
	// secretCache: saved destination → headers its keychain secrets make.
	secretCache map[string]http.Header

	wg       sync.WaitGroup // job goroutines
	stopTick chan struct{}
	tickDone chan struct{}
}

// Open loads the queue from opts.DataDir. Jobs that were active when the
// last process stopped are queued again but held until Start (or until
// Add names them), so a one-off upload does not set the whole queue going.
func Open(opts Options) (*Engine, error) {
	if opts.DataDir == "" {
		return nil, fault.New(fault.CodeBadSetting, "No data dir given: Ferry needs one for its queue.")
	}
	defaults(&opts)
	st, err := store.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		opts:        opts,
		store:       st,
		limiter:     rate.NewLimiter(rate.Inf, 1),
		bus:         newBus(),
		jobs:        map[string]*job{},
		byKey:       map[fileKey]*job{},
		running:     map[*job]struct{}{},
		dirty:       map[*job]struct{}{},
		concurrency: opts.Concurrency,
		stopTick:    make(chan struct{}),
		tickDone:    make(chan struct{}),
	}
	e.client = transfer.NewClient(e.limiter, opts.StallTimeout)
	e.client.ResponseTimeout = opts.ResponseTimeout
	e.SetRateLimit(opts.RateLimit)
	err = e.load()
	if err == nil {
		err = e.loadDestinations()
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	e.w = store.NewWriter(st, e.halt, e.heal, ErrClosed)
	e.del = newDeleter(e)
	e.del.dropDamaged()
	go e.ticker()
	return e, nil
}

func defaults(o *Options) {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 3
	}
	set(&o.StallTimeout, 12*time.Second)
	set(&o.ResponseTimeout, 2*time.Minute)
	set(&o.MaxBackoff, 5*time.Second)
	set(&o.Settle, 5*time.Second)
	set(&o.Tick, 500*time.Millisecond)
	set(&o.PersistEvery, 2*time.Second)
}

func (e *Engine) load() error {
	dests := sharedDests{}
	err := e.store.Each(store.Jobs, func(id string, rec []byte) error {
		j, err := decodeJob(id, rec, dests)
		if err != nil {
			return err
		}
		if j.State.Active() {
			// The process that ran it is gone; the server's offset decides.
			j.State, j.held = Queued, true
			j.setWait("", time.Time{})
		}
		j.seq, _ = strconv.ParseUint(id, 16, 64)
		e.jobs[id] = j
		e.order = append(e.order, j)
		e.byKey[jobKey(j.Path, *j.Dest)] = j
		return nil
	})
	sort.Slice(e.order, func(a, b int) bool { return e.order[a].seq < e.order[b].seq })
	for i, j := range e.order {
		j.pos = int32(i)
		e.account(j)
	}
	if n := len(e.order); n > 0 {
		e.lastID = e.order[n-1].seq
	}
	return err
}

// SetHeaders adds headers to every request of the jobs going to a
// destination URL. Secrets are not stored with jobs, so a job resumed by a
// later process gets them from here; they never go to another destination.
func (e *Engine) SetHeaders(destURL string, h http.Header) {
	e.secMu.Lock()
	defer e.secMu.Unlock()
	if e.headers == nil {
		e.headers = map[string]http.Header{}
	}
	e.headers[dest.URLKey(destURL)] = h.Clone()
	e.keepURL(destURL)
}

// keepURL remembers a destination URL's secrets (user-info, signing
// parameters) for this process. Caller holds e.secMu.
func (e *Engine) keepURL(raw string) {
	if !dest.HasSecrets(raw) {
		return
	}
	if e.urls == nil {
		e.urls = map[string]string{}
	}
	e.urls[dest.URLKey(raw)] = raw
}

func (e *Engine) secretsFor(destURL string) (http.Header, string) {
	e.secMu.Lock()
	defer e.secMu.Unlock()
	full := destURL
	if u, ok := e.urls[dest.URLKey(destURL)]; ok {
		full = u
	}
	return e.headers[dest.URLKey(destURL)].Clone(), full
}

// DataDir is where the queue lives.
func (e *Engine) DataDir() string { return e.opts.DataDir }

// Start lets every queued job run, including those held since Open, and
// takes up server deletions an earlier process left undone.
func (e *Engine) Start() {
	e.mu.Lock()
	for _, j := range e.order {
		if j != nil && j.held {
			j.held = false
			e.offer(j)
		}
	}
	e.schedule()
	e.mu.Unlock()
	e.del.resume()
}

// Close stops every transfer, keeps active jobs queued for the next start,
// writes the queue and releases the database. A Close called meanwhile
// (the window's own, when the session's end closed it first) returns once
// that is done, with its error.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() { e.closeErr = e.close() })
	return e.closeErr
}

func (e *Engine) close() error {
	e.mu.Lock()
	e.closed = true
	var stopped []*job
	for j := range e.running {
		stopped = append(stopped, j)
		j.cancel(errShutdown)
	}
	e.mu.Unlock()
	close(e.stopTick)
	<-e.tickDone
	e.wg.Wait()
	e.del.close()

	e.mu.Lock()
	for _, j := range stopped {
		if j.State == Uploading || j.State == Waiting {
			j.State = Queued
			j.setWait("", time.Time{})
			e.save(j)
		}
	}
	for j := range e.dirty {
		e.save(j)
	}
	e.mu.Unlock()
	err := e.w.Close()
	e.bus.CloseAll()
	if cerr := e.store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return storeError("its last changes are lost. Check the disk; the server's offsets will put the uploads right.", err)
	}
	return nil
}

// Subscribe returns a subscription to the event types in mask, with a
// buffer of the given size.
func (e *Engine) Subscribe(mask EventMask, buffer int) *Subscription {
	return e.bus.Subscribe(buffer, mask.keeps)
}

// start gives a job a slot and a goroutine. Caller holds e.mu.
func (e *Engine) start(j *job) {
	ctx, cancel := context.WithCancelCause(context.Background())
	j.running, j.cancel = true, cancel
	e.running[j] = struct{}{}
	e.lanes[j.lane].running++
	e.wg.Add(1)
	go e.run(ctx, j)
}

// setState is the one door for state changes: it rejects transitions the
// lifecycle does not allow, skips no-ops, persists (with whatever else
// must change in the same transaction) and publishes. Caller holds e.mu.
func (e *Engine) setState(j *job, to State, also ...store.Batch) error {
	if j.State == to {
		if len(also) > 0 {
			e.changed(j, also...)
		}
		return nil
	}
	if !canMove(j.State, to) {
		return fmt.Errorf("a job that is %s cannot become %s", j.State, to)
	}
	j.State = to
	if to != Waiting {
		j.setWait("", time.Time{})
	}
	if to != Failed {
		j.setError("", "")
	}
	if to == Done {
		j.Finished = time.Now()
	}
	if to != Uploading {
		j.Speed = 0
	}
	e.changed(j, also...)
	if to == Queued {
		e.offer(j)
	}
	return nil
}

// changed stages a job's record (and what goes with it, in the same
// transaction), updates the totals and tells subscribers. Caller holds e.mu.
func (e *Engine) changed(j *job, also ...store.Batch) {
	if j.removed {
		return
	}
	e.stage(j, also...)
	e.account(j)
	e.bus.Publish(Event{Type: JobChanged, Job: j.view()})
}

// stage hands a job's record to the writer. Caller holds e.mu.
func (e *Engine) stage(j *job, also ...store.Batch) {
	b := store.Batch{}
	for _, a := range also {
		b.Merge(a)
	}
	if rec, err := j.encode(); err == nil && !j.removed {
		b.Put(store.Jobs, j.ID, rec)
	}
	delete(e.dirty, j)
	if e.batch != nil {
		e.batch.Merge(b)
		return
	}
	e.write(b)
}

// write hands changes to the writer and returns the generation that
// will hold them (durable waits for it). Caller holds e.mu.
func (e *Engine) write(b store.Batch) uint64 {
	e.lastGen = e.w.Stage(b)
	return e.lastGen
}

// save stages progress; the writer coalesces it. Caller holds e.mu.
func (e *Engine) save(j *job) {
	if !j.removed {
		e.stage(j)
	}
}

// durable waits until everything staged so far is on disk. Never call it
// holding e.mu.
func (e *Engine) durable(g uint64) error { return e.w.Wait(g) }

// halt stops the queue: its changes cannot be recorded, and an upload
// that cannot be recorded must not go on (a rerun would not know it and
// start it again). Running jobs go back to the queue.
func (e *Engine) halt(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.halted != nil || e.closed {
		return
	}
	e.halted = storeError("uploads are paused. Free disk space or check the disk; they go on by themselves once it can be written.", err)
	for j := range e.running {
		if j.State == Uploading || j.State == Waiting {
			e.setState(j, Queued)
		}
		j.cancel(errHalted)
	}
	e.bus.Publish(Event{Type: QueueHalted, Err: e.halted})
}

// heal lets the queue run again once a write went through.
func (e *Engine) heal() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.halted == nil {
		return
	}
	e.halted = nil
	e.bus.Publish(Event{Type: QueueResumed})
	e.schedule()
}

// note adds a history line. Caller holds e.mu.
func (j *job) note(format string, args ...any) {
	line := time.Now().Format("2006-01-02 15:04:05 ") + fmt.Sprintf(format, args...)
	x := j.edit()
	x.Notes = append(x.Notes, line)
	if len(x.Notes) > 20 {
		x.Notes = x.Notes[len(x.Notes)-20:]
	}
}

// newID names a job by the time it was added, so ids sort in add order.
// Caller holds e.mu.
func (e *Engine) newID() (string, uint64) {
	e.lastID = max(uint64(time.Now().UnixNano()), e.lastID+1)
	return fmt.Sprintf("%016x", e.lastID), e.lastID
}
