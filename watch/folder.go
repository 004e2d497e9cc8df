package watch

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch/settings"
)

// folder is one watch folder. One goroutine (run) owns everything below
// "owned by the loop"; others reach it through want, inbox and kick, and
// read its status under mu. It is syncthing's watch aggregator shape:
// events only mark a path (O(1)), a path is looked at once it has been
// quiet for the settle time, and above a bound the folder falls back to a
// rescan instead of holding more paths.
type folder struct {
	w   *Watcher
	dir string

	mu      sync.Mutex
	want    settings.WatchFolder // the settings to apply
	changed bool
	asked   []chan struct{} // closed once Status shows want
	inbox   []news          // job changes for the loop
	resync  bool            // job events were missed: ask the engine about every tracked job
	status  Status

	kick chan struct{} // something in want or inbox (1-buffered)
	stop chan struct{}
	done chan struct{}

	// Owned by the loop.
	cfg     settings.WatchFolder
	filter  filter
	fsw     *fsnotify.Watcher
	root    fs.FileInfo // the folder when it was set up: another one there is set up afresh
	mounted bool        // root was a mount point
	unplug  bool        // Missing because the disk mounted there went: wait until one is again
	dirs    map[string]bool
	waiting *settling
	tracked map[string]*entry // files handed to the engine and not done, by path
	// afterSaid are the after-upload failures said already: a walk finds
	// every uploaded file again, and must not say the same thing again.
	afterSaid map[string]bool
	scan      *scanner
	scanWant  []string // folders to walk once no walk runs
	fullWant  bool     // the whole folder is to be walked
	overflow  bool     // paths were left out of waiting: walk again once it has room
	announce  bool     // the walk under way follows Started: say what it found
	seen      [2]int   // files that walk found, and of them uploaded before
	warnings  map[string]*trouble
	warnList  []string            // warnings' sentences, sorted, for Status
	warnEdit  bool                // warnList is to be made again
	walked    map[string]*trouble // trouble met by the full walk under way
	state     State
	problem   string
	stuck     bool // failed for a reason only new settings mend (a destination gone)
	lastScan  time.Time
	queued    int
	failed    int
	uploaded  int   // since the folder was added: kept in its record
	bytes     int64 // the sizes of those files, kept alike
	// outbox holds the events of one turn of the loop: they go out once
	// Status shows what they say, so whoever hears one and asks sees it.
	outbox []Event
	acks   []chan struct{} // settings applied this turn: closed once Status shows them
}

// news is a change to a job, routed to the folder its file is in.
type news struct {
	job     engine.Job
	removed bool
}

// entry is a file handed to the engine.
type entry struct {
	id    string
	v     engine.FileVersion
	state entryState
}

type entryState int

const (
	inFlight  entryState = iota // queued, uploading, waiting or paused
	failed                      // a retry in the queue takes it up again
	cancelled                   // left alone until it changes
	dropped                     // removed from the queue: left alone until it changes
)

func newFolder(w *Watcher, f settings.WatchFolder) *folder {
	c := w.eng.WatchCountsOf(f.Dir) // what it did before a restart
	return &folder{
		w: w, dir: f.Dir, want: f, changed: true,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		waiting: newSettling(w.opts.MaxPending), tracked: map[string]*entry{}, afterSaid: map[string]bool{},
		warnings: map[string]*trouble{}, uploaded: c.Uploaded, bytes: c.Bytes,
		status: Status{Dir: f.Dir, Uploaded: c.Uploaded, Bytes: c.Bytes},
	}
}

// set gives the loop new settings; the channel is closed once Status
// shows them (paused, watching, missing), or the loop has stopped.
func (f *folder) set(cfg settings.WatchFolder) <-chan struct{} {
	ack := make(chan struct{})
	f.mu.Lock()
	f.want, f.changed = cfg, true
	f.asked = append(f.asked, ack)
	f.mu.Unlock()
	f.poke()
	return ack
}

// applied waits until Status shows the settings ack stands for.
func (f *folder) applied(ack <-chan struct{}) {
	select {
	case <-ack:
	case <-f.done:
	}
}

// deliver hands the loop a job change; it never blocks.
func (f *folder) deliver(n news) {
	f.mu.Lock()
	f.inbox = append(f.inbox, n)
	f.mu.Unlock()
	f.poke()
}

// resyncJobs tells the loop that job events were missed.
func (f *folder) resyncJobs() {
	f.mu.Lock()
	f.resync = true
	f.mu.Unlock()
	f.poke()
}

func (f *folder) poke() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

func (f *folder) snapshot() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.status
	s.Warnings = slices.Clone(s.Warnings)
	s.Settings = f.want
	s.Settings.Exts = slices.Clone(f.want.Exts)
	// What a window shows of a URL destination: no header, no URL secret.
	s.Settings.Dest = engine.Destination{Name: f.want.Dest.Name, Kind: f.want.Dest.Kind, URL: dest.RedactURL(f.want.Dest.URL)}
	return s
}

// halt stops the loop and waits for it.
func (f *folder) halt() {
	close(f.stop)
	<-f.done
}

func (f *folder) run() {
	defer close(f.done)
	defer f.teardown()
	presence := time.NewTicker(f.w.opts.Presence)
	defer presence.Stop()
	rescan := time.NewTimer(f.w.opts.Rescan)
	defer rescan.Stop()
	settle := time.NewTimer(time.Hour)
	defer settle.Stop()
	f.takeMail()
	f.publish()
	for {
		var events <-chan fsnotify.Event
		var errs <-chan error
		if f.fsw != nil {
			events, errs = f.fsw.Events, f.fsw.Errors
		}
		var scanned <-chan scanBatch
		if f.scan != nil {
			scanned = f.scan.out
		}
		select {
		case <-f.stop:
			return
		case <-f.kick:
			f.takeMail()
		case ev, ok := <-events:
			if ok {
				f.onEvent(ev)
			} else {
				f.unwatched()
			}
		case err, ok := <-errs:
			if ok {
				f.onWatchError(err)
			} else {
				f.unwatched()
			}
		case b := <-scanned:
			f.onScan(b, rescan)
		case <-settle.C:
			f.settle()
		case <-presence.C:
			f.checkPresence()
		case <-rescan.C:
			if f.state == Watching {
				f.fullWant = true
			}
			rescan.Reset(f.rescanEvery())
		}
		f.startScan()
		if next := f.waiting.next(); next != nil {
			settle.Reset(max(time.Until(next.due), time.Millisecond))
		}
		f.publish()
	}
}

// takeMail applies new settings and job changes.
func (f *folder) takeMail() {
	f.mu.Lock()
	cfg, changed := f.want, f.changed
	inbox, resync := f.inbox, f.resync
	f.changed, f.inbox, f.resync = false, nil, false
	f.acks = append(f.acks, f.asked...)
	f.asked = nil
	f.mu.Unlock()
	if changed {
		f.apply(cfg)
	}
	for _, n := range inbox {
		f.onJob(n.job, n.removed)
	}
	if resync {
		// Only this folder's jobs: never a walk of the whole queue.
		for path, e := range f.tracked {
			if j, ok := f.w.eng.Job(e.id); ok {
				f.onJob(j, false)
			} else {
				f.onJob(engine.Job{ID: e.id, Path: path}, true)
			}
		}
	}
}

// apply starts afresh with new settings: what is watched and how files
// are chosen may have changed. Jobs already queued go on.
func (f *folder) apply(cfg settings.WatchFolder) {
	f.teardown()
	f.cfg, f.filter, f.stuck = cfg, newFilter(cfg), false
	f.warnings, f.warnEdit = map[string]*trouble{}, true
	if cfg.Paused {
		f.setState(Paused, "")
		return
	}
	f.setup()
}

// setup watches the folder and walks it whole: what arrived while nobody
// watched is found.
func (f *folder) setup() {
	fi, err := os.Stat(f.cfg.Dir)
	if err != nil || !fi.IsDir() {
		f.lost(err)
		return
	}
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		// No watcher at all (the system's limit on them): rescans alone
		// find files, and say so.
		if t := watchTrouble(f.cfg.Dir, err, f.rescanEvery()); t != nil {
			f.warn(t)
		}
		fsw = nil
	}
	f.fsw, f.root, f.dirs = fsw, fi, map[string]bool{}
	f.mounted, f.unplug = mountPoint(f.cfg.Dir, fi), false
	f.fullWant, f.announce = true, true
	f.setState(Watching, "")
	f.emit(Event{Kind: Started})
}

// teardown stops watching: the walk under way, fsnotify, the files
// waiting to be still. Tracked jobs stay.
func (f *folder) teardown() {
	if f.scan != nil {
		f.scan.halt()
		f.scan = nil
	}
	if f.fsw != nil {
		f.fsw.Close()
		f.fsw = nil
	}
	f.root, f.dirs = nil, nil
	f.waiting.clear()
	f.scanWant, f.fullWant, f.overflow, f.announce = nil, false, false, false
}

// fail: the engine cannot take this folder's files (its destination is
// gone). Settings given again (Watcher.Add) set it going.
func (f *folder) fail(err error) {
	if errors.Is(err, engine.ErrClosed) {
		return
	}
	f.teardown()
	f.stuck = true
	if msg := err.Error(); msg != f.problem || f.state != Failing {
		f.setState(Failing, msg)
		f.emit(Event{Kind: Trouble, Msg: msg})
	}
}

// warn records a warning, and says it the first time.
func (f *folder) warn(t *trouble) {
	if old := f.warnings[t.key]; old != nil && old.msg == t.msg {
		return
	}
	f.warnings[t.key] = t
	f.warnEdit = true
	f.emit(Event{Kind: Trouble, Path: t.path, Msg: t.msg})
}

func sameVersion(a, b engine.FileVersion) bool {
	return a.Size == b.Size && a.ModTime.Equal(b.ModTime)
}

func (f *folder) setState(s State, problem string) {
	f.state, f.problem = s, problem
}

// emit says what the folder did, once this turn of the loop is over.
func (f *folder) emit(ev Event) {
	ev.Dir = f.cfg.Dir
	f.outbox = append(f.outbox, ev)
}

// publish copies the loop's figures for Status (a few words under a
// lock), then sends the turn's events.
func (f *folder) publish() {
	defer f.send()
	if f.warnEdit {
		f.warnList, f.warnEdit = nil, false
		for _, t := range f.warnings {
			f.warnList = append(f.warnList, t.msg)
		}
		slices.Sort(f.warnList)
	}
	s := Status{Dir: f.cfg.Dir, State: f.state, Problem: f.problem, Warnings: f.warnList,
		Scanning: f.scan != nil, LastScan: f.lastScan,
		Settling: f.waiting.len(), Queued: f.queued, Uploaded: f.uploaded, Bytes: f.bytes, Failed: f.failed}
	if w := f.waiting.next(); w != nil {
		s.SettlingFirst, s.SettlingDue = w.path, w.due
	}
	f.mu.Lock()
	f.status = s
	f.mu.Unlock()
	for _, ack := range f.acks {
		close(ack)
	}
	f.acks = nil
}

// send hands the turn's events to the subscribers.
func (f *folder) send() {
	for i, ev := range f.outbox {
		f.w.hub.Publish(ev)
		f.outbox[i] = Event{}
	}
	f.outbox = f.outbox[:0]
}
