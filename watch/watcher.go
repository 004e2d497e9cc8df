// Package watch uploads what appears in watched folders: fsnotify (and a
// rescan now and then) says a file changed, the watcher waits until it is
// still, hands it to the engine with others in one AddMany and, once the
// server holds every byte, keeps, moves or deletes it. A file uploaded
// before (same path, size, mtime and destination) is never queued again.
//
// The window and `ferry watch` drive it through one API: Add (also to
// change a folder's settings), Pause, Resume, Remove, Status (cheap: poll
// it on a redraw tick) and Subscribe (an event per file and per trouble;
// by the time one arrives, Status shows what it says).
//
// Goroutines are bounded: one per folder, fsnotify's reader, a walk at a
// time per folder, and one that routes the engine's job events; memory is
// bounded by Options.MaxPending files waiting per folder, beyond which a
// folder falls back to a rescan.
package watch

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferry-app/ferry/bus"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/watch/settings"
)

// Options tune a Watcher; zero values mean the defaults.
type Options struct {
	// Rescan is how often each folder is walked whole, to catch what the
	// file system's events missed (network shares, macOS's per-file
	// watches running out); default 10 minutes.
	Rescan time.Duration
	// Presence is how often each folder is looked for: fsnotify says
	// nothing when a disk is unmounted; default 1 s.
	Presence time.Duration
	// Batch is the most files handed to the engine in one AddMany (one
	// transaction); default 256.
	Batch int
	// MaxPending bounds the files a folder keeps waiting to be still; past
	// it, events are dropped for a rescan once there is room. Default 4096.
	MaxPending int
}

// DefaultRescan is how often a folder is walked whole, by default.
const DefaultRescan = 10 * time.Minute

func (o *Options) defaults() {
	if o.Rescan <= 0 {
		o.Rescan = DefaultRescan
	}
	if o.Presence <= 0 {
		o.Presence = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 4096
	}
}

// Watcher watches folders for one engine.
type Watcher struct {
	eng  *engine.Engine
	opts Options
	hub  *bus.Bus[Event]
	sub  *engine.Subscription

	mu      sync.Mutex
	folders map[string]*folder // by cleaned path
	closed  bool

	quit chan struct{}
	done chan struct{}
}

// New makes a watcher that watches nothing yet: Add folders, or
// StartSaved to watch the ones kept in the database. Close it before the
// engine.
func New(eng *engine.Engine, opts Options) *Watcher {
	opts.defaults()
	w := &Watcher{eng: eng, opts: opts, hub: newHub(), folders: map[string]*folder{},
		quit: make(chan struct{}), done: make(chan struct{})}
	w.sub = eng.Subscribe(engine.JobChanged.Mask()|engine.JobRemoved.Mask(), 4096)
	go w.dispatch()
	return w
}

// Add watches a folder, or gives one watched already new settings (its
// destination, extensions, settle time, after-upload action, paused or
// not); they are saved first, defaults filled in, and returned. A URL
// destination's secrets (user-info, an Authorization header) serve this
// process only: the database never holds them. It returns once Status
// shows the folder with its new settings.
func (w *Watcher) Add(f settings.WatchFolder) (settings.WatchFolder, error) {
	if abs, err := filepath.Abs(f.Dir); err == nil && f.Dir != "" {
		f.Dir = abs
	}
	saved, err := w.eng.SaveWatchFolder(f)
	if err != nil {
		return saved, err
	}
	run := saved
	if f.Dest.Name == "" {
		run.Dest = f.Dest
	}
	return saved, w.run(run, true)
}

// StartSaved watches every folder kept in the database, as saved.
func (w *Watcher) StartSaved() error {
	all, err := w.eng.WatchFolders()
	for _, f := range all {
		if rerr := w.run(f, false); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// run starts a folder's goroutine, or hands a running one new settings.
// wait: it returns once the folder's Status shows them, so a window that
// redraws after Add, Pause or Resume shows the folder as it now is. At
// start nothing waits: a folder on a share that does not answer must not
// hold up the window.
func (w *Watcher) run(f settings.WatchFolder, wait bool) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return engine.ErrClosed
	}
	fo, running := w.folders[f.Dir]
	if !running {
		fo = newFolder(w, f)
		w.folders[f.Dir] = fo
	}
	ack := fo.set(f) // a new folder's first turn applies f, once
	if !running {
		go fo.run()
	}
	w.mu.Unlock()
	if wait {
		fo.applied(ack)
	}
	return nil
}

// Pause stops watching a folder (its queued uploads go on); it stays
// paused across restarts until Resume.
func (w *Watcher) Pause(dir string) error { return w.setPaused(dir, true) }

// Resume watches a paused folder again, from a full walk.
func (w *Watcher) Resume(dir string) error { return w.setPaused(dir, false) }

func (w *Watcher) setPaused(dir string, paused bool) error {
	f, ok := w.settings(dir)
	if !ok {
		return fault.New(fault.CodeBadSetting, "%s is not a watch folder; add it first.", dir)
	}
	f.Paused = paused
	_, err := w.Add(f)
	return err
}

// settings are a folder's settings: the running ones (a URL
// destination's secrets included), else the saved ones.
func (w *Watcher) settings(dir string) (settings.WatchFolder, bool) {
	dir = absDir(dir)
	w.mu.Lock()
	fo := w.folders[dir]
	w.mu.Unlock()
	if fo != nil {
		fo.mu.Lock()
		defer fo.mu.Unlock()
		return fo.want, true
	}
	return w.eng.WatchFolderOf(dir)
}

// Remove stops watching a folder and forgets it. What it uploaded stays
// known as uploaded.
func (w *Watcher) Remove(dir string) error {
	dir = absDir(dir)
	w.mu.Lock()
	fo := w.folders[dir]
	delete(w.folders, dir)
	w.mu.Unlock()
	if fo != nil {
		fo.halt()
	}
	return w.eng.RemoveWatchFolder(dir)
}

// Status is every watched folder's state and figures, by path. It copies
// a few words per folder: cheap enough for every redraw.
func (w *Watcher) Status() []Status {
	w.mu.Lock()
	folders := make([]*folder, 0, len(w.folders))
	for _, fo := range w.folders {
		folders = append(folders, fo)
	}
	w.mu.Unlock()
	out := make([]Status, 0, len(folders))
	for _, fo := range folders {
		out = append(out, fo.snapshot())
	}
	slices.SortFunc(out, func(a, b Status) int { return strings.Compare(a.Dir, b.Dir) })
	return out
}

// Subscribe returns a subscription to every folder's events, with a
// buffer of the given size.
func (w *Watcher) Subscribe(buffer int) *Subscription { return w.hub.Subscribe(buffer, nil) }

// Close stops every folder (their settings stay saved, their queued
// uploads stay queued) and ends the subscriptions.
func (w *Watcher) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	folders := w.folders
	w.folders = map[string]*folder{}
	w.mu.Unlock()
	for _, fo := range folders {
		fo.halt()
	}
	close(w.quit)
	<-w.done
	w.sub.Close()
	w.hub.CloseAll()
}

// dispatch routes the engine's job events to the folder each job's file
// is in: O(folders) per event, never a walk of the queue. Missed events
// make each folder ask about its own jobs.
func (w *Watcher) dispatch() {
	defer close(w.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-w.sub.C:
			if !ok {
				return // the engine is closed
			}
			w.catchUp()
			w.route(news{job: ev.Job, removed: ev.Type == engine.JobRemoved})
		case <-tick.C:
			w.catchUp()
		case <-w.quit:
			return
		}
	}
}

func (w *Watcher) route(n news) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for dir, fo := range w.folders {
		if within(dir, n.job.Path) {
			fo.deliver(n)
		}
	}
}

func (w *Watcher) catchUp() {
	if w.sub.Missed() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fo := range w.folders {
		fo.resyncJobs()
	}
}

func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// within: path is below dir.
func within(dir, path string) bool {
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}
