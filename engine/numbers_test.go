package engine

import (
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// Issue 13, "Numbers that never lie": what the engine tells front-ends
// about bytes, speed and time left.

// acks records every offset the server acknowledged (its answers to HEAD
// and PATCH), as tusd wrote them.
type acks struct {
	mu  sync.Mutex
	off []int64
}

func (a *acks) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead && r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&ackWriter{ResponseWriter: w, a: a}, r)
	})
}

func (a *acks) all() []int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int64(nil), a.off...)
}

type ackWriter struct {
	http.ResponseWriter
	a *acks
}

func (w *ackWriter) WriteHeader(code int) {
	if code/100 == 2 {
		if n, err := strconv.ParseInt(w.Header().Get("Upload-Offset"), 10, 64); err == nil {
			w.a.mu.Lock()
			w.a.off = append(w.a.off, n)
			w.a.mu.Unlock()
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *ackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// follow collects one job's events (added, changed, progress) until it is
// done, reading events only.
func follow(t *testing.T, sub *Subscription, id string, timeout time.Duration) []Job {
	t.Helper()
	var seen []Job
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-sub.C:
			if ev.Job.ID != id {
				continue
			}
			seen = append(seen, ev.Job)
			if ev.Job.State == Done {
				if sub.Missed() > 0 {
					t.Fatal("the subscription missed events: make its buffer larger")
				}
				return seen
			}
			if ev.Job.State.Terminal() {
				t.Fatalf("job ended %s: %s", ev.Job.State, ev.Job.Error)
			}
		case <-deadline:
			last := Job{}
			if len(seen) > 0 {
				last = seen[len(seen)-1]
			}
			t.Fatalf("job not done after %s: %s (%s) at %d", timeout, last.State, last.Reason, last.Offset)
		}
	}
}

// belowAcknowledged finds the first event whose offset is below an offset
// the server acknowledged and an earlier event had already shown: the bar
// went back behind what the server holds. ok(j) excuses an event (a drop
// the job's notes explain).
func belowAcknowledged(seen []Job, acked []int64, ok func(prev, j Job) bool) string {
	for _, a := range acked {
		reached := -1
		for i, j := range seen {
			switch {
			case reached < 0 && j.Offset >= a:
				reached = i
			case reached >= 0 && j.Offset < a:
				if ok != nil && ok(seen[i-1], j) {
					reached = -1 // a new upload: its own acknowledgements count
					continue
				}
				return fmt.Sprintf("event %d (%s, %q) shows %d bytes, though the server had acknowledged %d and event %d showed %d",
					i, j.State, j.Reason, j.Offset, a, reached, seen[reached].Offset)
			}
		}
	}
	return ""
}

func TestReconnectHoldsTheBar(t *testing.T) {
	needAcks(t) // the bar holds at what the server acknowledged
	var a acks
	srv := tustest.New(t, tustest.WithMiddleware(a.middleware),
		tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20, CutEvery: 700 << 10, CutSeed: 13}))
	e := newEngine(t)
	e.Start()
	sub := e.Subscribe(JobAdded.Mask()|JobChanged.Mask()|JobProgress.Mask(), 1<<14)
	defer sub.Close()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "cut.mp4", 3<<20, 4)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	seen := follow(t, sub, j.ID, 60*time.Second)
	assertArrived(t, srv, "cut.mp4", sha, 1)

	acked := a.all()
	if len(acked) < 2 {
		t.Fatalf("the server acknowledged %v: no reconnect happened (requests %v)", acked, srv.Requests())
	}
	if why := belowAcknowledged(seen, acked, nil); why != "" {
		t.Fatal(why)
	}
	// While it waits out a cut and while it asks the server again, the
	// row holds its bytes and says what it is doing.
	var waiting, reconnecting bool
	for _, j := range seen {
		waiting = waiting || (j.State == Waiting && j.Offset > 0)
		reconnecting = reconnecting || (j.State == Uploading && j.Reason == Reconnecting && j.Offset > 0)
	}
	if !waiting || !reconnecting {
		t.Fatalf("held while waiting %v, while reconnecting %v (acknowledged %v)", waiting, reconnecting, acked)
	}
	if last := seen[len(seen)-1]; last.Reason != "" || last.Offset != last.Size {
		t.Fatalf("done with reason %q at %d of %d", last.Reason, last.Offset, last.Size)
	}
}

func TestServerThatForgotTheUploadSaysWhyTheBarWentBack(t *testing.T) {
	var a acks
	srv := tustest.New(t, tustest.WithMiddleware(a.middleware), tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20}))
	e := newEngine(t)
	e.Start()
	sub := e.Subscribe(JobAdded.Mask()|JobChanged.Mask()|JobProgress.Mask(), 1<<14)
	defer sub.Close()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "gone.mp4", 2<<20, 6)
	// Chunks, so the server acknowledges offsets before the pause.
	j, err := e.Add(p, Destination{URL: srv.URL, ChunkSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	waitOffset(t, e, j.ID, 768<<10, 20*time.Second)
	if err := e.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(tustest.Faults{NotFoundHEAD: 1})
	if err := e.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	seen := follow(t, sub, j.ID, 60*time.Second)
	assertArrived(t, srv, "gone.mp4", sha, 2)

	const why = "no longer had the upload"
	dropped := false
	explained := func(prev, j Job) bool {
		said := strings.Contains(strings.Join(j.Notes, "\n"), why) && !strings.Contains(strings.Join(prev.Notes, "\n"), why)
		dropped = dropped || said
		return said
	}
	if why := belowAcknowledged(seen, a.all(), explained); why != "" {
		t.Fatal(why)
	}
	if !dropped {
		t.Fatalf("the offset never went back with a note; notes %q", seen[len(seen)-1].Notes)
	}
}

func TestSmallFilesShowARealSpeed(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	const n, size = 120, 40 << 10
	dir := wine.TempDir(t)
	for i := range n {
		tustest.RandomFile(t, dir, fmt.Sprintf("f%03d.jpg", i), size, int64(i))
	}
	sub := e.Subscribe(TotalsChanged.Mask(), 1<<14)
	defer sub.Close()
	for _, r := range e.AddMany([]string{dir}, destOf(srv)) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	deadline := time.After(120 * time.Second)
	var moving, still int
	for {
		var tot Totals
		select {
		case ev := <-sub.C:
			tot = ev.Totals
		case <-deadline:
			t.Fatalf("after 2 min: %+v", e.Totals())
		}
		switch {
		case tot.FilesLeft > 0 && tot.Speed > 0:
			moving++
		case tot.FilesLeft > 0 && moving > 0:
			// Bytes flowed, files are left: the queue is not idle.
			t.Fatalf("speed 0 with %d files left after %d ticks of speed (%+v)", tot.FilesLeft, moving, tot)
		case tot.FilesLeft == 0 && tot.Speed == 0:
			still++
		}
		if still > 0 {
			if moving == 0 {
				t.Fatal("no tick showed any speed")
			}
			if tot.Count(Done) != n || tot.Sent != n*size || tot.ETA != 0 || tot.Connecting != 0 {
				t.Fatalf("at the end: %+v, want %d done and %d bytes sent", tot, n, n*size)
			}
			break
		}
	}
	if sub.Missed() > 0 {
		t.Fatal("missed totals events")
	}
}

func TestPausedQueueHasNoSpeedNorTimeLeft(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 512 << 10}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	var ids []string
	for i := range 2 {
		p, _ := tustest.RandomFile(t, dir, fmt.Sprintf("p%d.mp4", i), 4<<20, int64(i))
		j, err := e.Add(p, destOf(srv))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	sub := e.Subscribe(TotalsChanged.Mask(), 1<<12)
	defer sub.Close()
	waitOffset(t, e, ids[0], 64<<10, 20*time.Second)
	e.PauseAll()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-sub.C:
			tot := ev.Totals
			if tot.Count(Paused) != 2 || tot.Speed != 0 {
				continue
			}
			if tot.FilesLeft != 2 || tot.ETA != 0 || tot.Connecting != 0 || tot.BytesLeft <= 0 || tot.Sent <= 0 {
				t.Fatalf("paused queue: %+v", tot)
			}
			return
		case <-deadline:
			t.Fatalf("paused queue never still: %+v", e.Totals())
		}
	}
}

func TestOverallTimeLeftIsNeverShorterThanTheSlowestUpload(t *testing.T) {
	needAcks(t) // without acknowledgements the fast upload is written into socket buffers at once and never overlaps the slow one
	slow := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 150_000}))
	fast := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 3_000_000}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	ps, shaS := tustest.RandomFile(t, dir, "slow.mp4", 600_000, 1)
	pf, shaF := tustest.RandomFile(t, dir, "fast.mp4", 4_000_000, 2)
	sub := e.Subscribe(TotalsChanged.Mask(), 1<<12)
	defer sub.Close()
	for _, add := range []struct {
		path string
		srv  *tustest.Server
	}{{ps, slow}, {pf, fast}} {
		if _, err := e.Add(add.path, destOf(add.srv)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(60 * time.Second)
	mattered := false // the slowest upload outlasted the bytes at the queue's speed
	for e.Totals().Count(Done) < 2 {
		select {
		case <-sub.C:
		case <-deadline:
			t.Fatalf("not done: %+v", e.Totals())
		}
		s := e.Snapshot()
		var slowest Job
		for _, j := range s.Jobs {
			if j.ETA > slowest.ETA {
				slowest = j
			}
		}
		if s.Totals.ETA < slowest.ETA {
			t.Fatalf("%s left overall, but %s alone needs %s (%+v)", s.Totals.ETA, filepath.Base(slowest.Path), slowest.ETA, s.Totals)
		}
		if s.Totals.Speed > 0 && slowest.ETA > 0 && eta(s.Totals.BytesLeft, s.Totals.Speed) < slowest.ETA-time.Second {
			mattered = true
		}
	}
	assertArrived(t, slow, "slow.mp4", shaS, 1)
	assertArrived(t, fast, "fast.mp4", shaF, 1)
	if !mattered {
		t.Fatal("the fast upload never overlapped the slow one: the test proved nothing")
	}
}

// tickerEngine is just enough of an engine for the ticker to run in a
// synctest bubble: no disk, no network.
func tickerEngine() *Engine {
	return &Engine{
		opts:     Options{Tick: 500 * time.Millisecond, PersistEvery: time.Hour},
		bus:      newBus(),
		jobs:     map[string]*job{},
		running:  map[*job]struct{}{},
		dirty:    map[*job]struct{}{},
		stopTick: make(chan struct{}),
		tickDone: make(chan struct{}),
	}
}

// fakeJob starts a job of size bytes in e, as start and attempt would.
func fakeJob(e *Engine, id string, size int64) *job {
	e.mu.Lock()
	defer e.mu.Unlock()
	j := &job{ID: id, Path: id, Dest: &Destination{}, Size: size, State: Uploading, running: true, tried: time.Now().UnixNano()}
	e.jobs[id], e.running[j] = j, struct{}{}
	e.account(j)
	return j
}

// endJob finishes a job, as finish and exit would.
func endJob(e *Engine, j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.State, j.Offset, j.Speed, j.running = Done, j.Size, 0, false
	j.lastMoved = j.moved
	delete(e.running, j)
	e.account(j)
}

func TestTickerCountsFilesThatCameAndWentBetweenTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := tickerEngine()
		sub := e.Subscribe(TotalsChanged.Mask(), 64)
		go e.ticker()
		synctest.Wait() // the ticker's clock runs from here
		// Every tick, two files of 100 kB start and finish between ticks:
		// none is running when the ticker looks.
		for i := range 8 {
			for k := range 2 {
				j := fakeJob(e, fmt.Sprintf("%d-%d", i, k), 100_000)
				jobProgress{e, j}.Sent(100_000)
				endJob(e, j)
			}
			time.Sleep(e.opts.Tick)
			synctest.Wait()
		}
		close(e.stopTick)
		<-e.tickDone
		sub.Close()
		ticks := 0
		for ev := range sub.C {
			ticks++
			if got := ev.Totals.Speed; math.Abs(got-400_000) > 1 {
				t.Errorf("tick %d: speed %.0f B/s, want 400000 (200 kB every 500 ms)", ticks, got)
			}
		}
		if ticks != 8 {
			t.Fatalf("%d ticks told", ticks)
		}
		// Nothing left and nothing moving: the speed drops to 0 at once.
		e.tick(&meter{sent: e.totals.Sent}, time.Now(), 0.5, false)
		if e.totals.Speed != 0 || e.totals.ETA != 0 {
			t.Fatalf("idle queue: %+v", e.totals)
		}
	})
}

func TestTickerTimeLeftWaitsForTheSlowestJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := tickerEngine()
		go e.ticker()
		defer func() { close(e.stopTick); <-e.tickDone }()
		synctest.Wait()
		slow := fakeJob(e, "slow", 1_000_000)
		fast := fakeJob(e, "fast", 3_000_000)
		starting := fakeJob(e, "starting", 1_000)
		// slow sends 10 kB a tick (20 kB/s), fast 1 MB a tick (2 MB/s);
		// starting sends nothing yet.
		for range 2 {
			jobProgress{e, slow}.Sent(10_000)
			jobProgress{e, fast}.Sent(1_000_000)
			time.Sleep(e.opts.Tick)
			synctest.Wait()
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		// 980 kB left at 20 kB/s: 49 s, though the queue's 1.98 MB at
		// 2.02 MB/s would say one second.
		slowETA, fastETA := slow.view().ETA, fast.view().ETA
		if slowETA != 49*time.Second || fastETA != 500*time.Millisecond {
			t.Fatalf("slow %s, fast %s", slowETA, fastETA)
		}
		if e.totals.ETA != slowETA {
			t.Fatalf("overall %s, slowest job %s", e.totals.ETA, slowETA)
		}
		if e.totals.Connecting != 1 || starting.Speed != 0 {
			t.Fatalf("connecting %d (starting's speed %.0f)", e.totals.Connecting, starting.Speed)
		}
	})
}

func TestTickerTimeLeftLeavesPausedFilesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := tickerEngine()
		go e.ticker()
		defer func() { close(e.stopTick); <-e.tickDone }()
		synctest.Wait()
		up := fakeJob(e, "up", 1_100_000)
		paused := fakeJob(e, "paused", 50_000_000)
		e.mu.Lock()
		delete(e.running, paused)
		paused.State, paused.running = Paused, false
		e.account(paused)
		e.mu.Unlock()
		for range 2 {
			jobProgress{e, up}.Sent(50_000) // 100 kB/s
			time.Sleep(e.opts.Tick)
			synctest.Wait()
		}
		tot := e.Totals()
		// 1 MB left at 100 kB/s; the paused 50 MB wait for a person.
		if tot.ETA != 10*time.Second || tot.BytesLeft != 51_000_000 || tot.Paused != 50_000_000 {
			t.Fatalf("totals %+v", tot)
		}
	})
}
