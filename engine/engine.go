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

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/engine/transfer"
)

// Options configure an Engine. Zero values mean the defaults.
type Options struct {
	DataDir     string // where the queue database lives (required)
	Concurrency int    // uploads at once; default 3
	RateLimit   int64  // bytes per second for all uploads together; 0 = unlimited
	// StallTimeout abandons a request that moved no bytes; default 12 s.
	StallTimeout time.Duration
	// MaxBackoff caps the wait between tries of a transient error; default 5 s.
	MaxBackoff time.Duration
	// Tick is how often speed and progress events are computed; default 500 ms.
	Tick time.Duration
	// PersistEvery bounds how often progress is written; default 2 s.
	PersistEvery time.Duration
}

// ErrClosed is returned by commands after Close.
var ErrClosed = errors.New("the engine is shut down")

// errPaused, errCancelled and errShutdown are the causes given to a job's
// context, so its goroutine knows who stopped it.
var (
	errPaused    = errors.New("paused")
	errCancelled = errors.New("cancelled")
	errShutdown  = errors.New("shutting down")
)

// Engine runs upload jobs.
type Engine struct {
	opts    Options
	store   *store.Store
	persist *persister
	fps     store.Fingerprints
	client  *transfer.Client
	limiter *rate.Limiter
	bus     bus

	mu          sync.Mutex
	jobs        map[string]*job
	order       []string          // ids in the order they were added
	byKey       map[string]string // jobKey(path, destination) → id: one job per file and place
	concurrency int
	closed      bool
	lastID      uint64 // the newest job id, as a number

	hdrMu   sync.Mutex
	headers map[string]http.Header // destination URL → headers given to this process

	wg       sync.WaitGroup // job goroutines and server terminations
	stopTick chan struct{}
	tickDone chan struct{}
}

// Open loads the queue from opts.DataDir. Jobs that were active when the
// last process stopped are queued again but held until Start (or until
// Add names them), so a one-off upload does not set the whole queue going.
func Open(opts Options) (*Engine, error) {
	if opts.DataDir == "" {
		return nil, errors.New("no data dir given")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 3
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 12 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if opts.Tick <= 0 {
		opts.Tick = 500 * time.Millisecond
	}
	if opts.PersistEvery <= 0 {
		opts.PersistEvery = 2 * time.Second
	}
	st, err := store.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		opts:        opts,
		store:       st,
		fps:         st.Fingerprints(),
		limiter:     rate.NewLimiter(rate.Inf, 1),
		jobs:        map[string]*job{},
		byKey:       map[string]string{},
		concurrency: opts.Concurrency,
		stopTick:    make(chan struct{}),
		tickDone:    make(chan struct{}),
	}
	e.client = transfer.NewClient(e.limiter, opts.StallTimeout)
	e.persist = newPersister(st)
	e.SetRateLimit(opts.RateLimit)
	if err := e.load(); err != nil {
		e.persist.close()
		st.Close()
		return nil, err
	}
	go e.ticker()
	return e, nil
}

func (e *Engine) load() error {
	err := e.store.Jobs(func(id string, rec []byte) error {
		j, err := decodeJob(id, rec)
		if err != nil {
			return err
		}
		if j.State.Active() {
			// The process that ran it is gone; the server's offset decides.
			j.State, j.Reason, j.NextTry, j.held = Queued, "", time.Time{}, true
		}
		e.jobs[id] = j
		e.order = append(e.order, id)
		e.byKey[jobKey(j.Path, j.Dest.URL)] = id
		return nil
	})
	sort.Strings(e.order)
	if n := len(e.order); n > 0 {
		e.lastID, _ = strconv.ParseUint(e.order[n-1], 16, 64)
	}
	return err
}

// SetHeaders adds headers to every request of the jobs going to a
// destination URL. Secrets are not stored with jobs, so a job resumed by a
// later process gets them from here; they never go to another destination.
func (e *Engine) SetHeaders(destURL string, h http.Header) {
	e.hdrMu.Lock()
	defer e.hdrMu.Unlock()
	if e.headers == nil {
		e.headers = map[string]http.Header{}
	}
	e.headers[DestKey(destURL)] = h.Clone()
}

func (e *Engine) headersFor(destURL string) http.Header {
	e.hdrMu.Lock()
	defer e.hdrMu.Unlock()
	return e.headers[DestKey(destURL)].Clone()
}

// DataDir is where the queue lives.
func (e *Engine) DataDir() string { return e.opts.DataDir }

// Start lets every queued job run, including those held since Open.
func (e *Engine) Start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.jobs {
		j.held = false
	}
	e.schedule()
}

// Close stops every transfer, keeps active jobs queued for the next start,
// writes the queue and releases the database.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, j := range e.jobs {
		if j.cancel != nil {
			j.cancel(errShutdown)
		}
	}
	e.mu.Unlock()
	close(e.stopTick)
	<-e.tickDone
	e.wg.Wait()

	e.mu.Lock()
	// Only what changed: a look at the queue (ferry queue) writes nothing.
	for _, j := range e.jobs {
		if j.State == Uploading || j.State == Waiting {
			j.State, j.Reason, j.NextTry, j.dirty = Queued, "", time.Time{}, true
		}
		if j.dirty {
			e.save(j)
		}
	}
	e.mu.Unlock()
	err := e.persist.close()
	e.bus.closeAll()
	if cerr := e.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Subscribe returns a subscription with a buffer of the given size.
func (e *Engine) Subscribe(buffer int) *Subscription { return e.bus.subscribe(buffer) }

// Snapshot returns every job, in the order they were added.
func (e *Engine) Snapshot() []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Job, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, e.jobs[id].Job.clone())
	}
	return out
}

// Job returns one job's snapshot.
func (e *Engine) Job(id string) (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	if !ok {
		return Job{}, false
	}
	return j.Job.clone(), true
}

// schedule starts queued jobs while slots are free. Caller holds e.mu.
func (e *Engine) schedule() {
	if e.closed {
		return
	}
	running := 0
	for _, j := range e.jobs {
		if j.running {
			running++
		}
	}
	for _, id := range e.order {
		if running >= e.concurrency {
			return
		}
		j := e.jobs[id]
		if j.State != Queued || j.held || j.running {
			continue
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		j.running, j.cancel = true, cancel
		running++
		e.wg.Add(1)
		go e.run(ctx, j)
	}
}

// setState is the one door for state changes: it rejects transitions the
// lifecycle does not allow, skips no-ops, persists and publishes. Caller
// holds e.mu.
func (e *Engine) setState(j *job, to State) error {
	if j.State == to {
		return nil
	}
	if !canMove(j.State, to) {
		return fmt.Errorf("a job that is %s cannot become %s", j.State, to)
	}
	j.State = to
	if to != Waiting {
		j.Reason, j.NextTry = "", time.Time{}
	}
	if to != Failed {
		j.Error = ""
	}
	if to == Done {
		j.Finished = time.Now()
	}
	if to != Uploading {
		j.Speed, j.ETA = 0, 0
	}
	e.changed(j)
	return nil
}

// changed persists a job and tells subscribers. Caller holds e.mu.
func (e *Engine) changed(j *job) {
	if j.removed {
		return
	}
	e.save(j)
	e.bus.publish(JobChanged, j.Job.clone())
}

// save hands a job's record to the background writer. Caller holds e.mu.
func (e *Engine) save(j *job) {
	if b, err := j.encode(); err == nil {
		e.persist.put(j.ID, b)
		j.dirty = false
	}
}

// note adds a history line. Caller holds e.mu.
func (j *job) note(format string, args ...any) {
	line := time.Now().Format("15:04:05 ") + fmt.Sprintf(format, args...)
	j.Notes = append(j.Notes, line)
	if len(j.Notes) > 20 {
		j.Notes = j.Notes[len(j.Notes)-20:]
	}
}

// newID names a job by the time it was added, so ids sort in add order.
// Caller holds e.mu.
func (e *Engine) newID() string {
	e.lastID = max(uint64(time.Now().UnixNano()), e.lastID+1)
	return fmt.Sprintf("%016x", e.lastID)
}
