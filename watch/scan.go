package watch

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ferry-app/ferry/engine"
)

// scanner walks folders in a goroutine of its own, so a big folder never
// holds the events up. It watches each folder before it reads it (a file
// made in between is seen twice, never missed), asks the engine which
// files were uploaded before, and sends what it found in batches of at
// most scanChunk entries: memory stays bounded however big a folder is.
type scanner struct {
	dirs   []string
	full   bool // the whole watch folder: its trouble replaces the folder's warnings
	root   string
	fsw    *fsnotify.Watcher // nil: nothing is watched, the walk alone finds files
	filter filter
	eng    *engine.Engine
	dest   engine.Destination
	rescan time.Duration

	out  chan scanBatch
	stop chan struct{}
	done chan struct{}
}

// scanBatch is what a walk found in part of a folder.
type scanBatch struct {
	watched []string // folders now watched
	files   []found
	trouble []*trouble
	err     error // the engine cannot answer (its destination is gone, it is closed)
	last    bool  // the walk is over
}

// found is a file a walk found.
type found struct {
	v  engine.FileVersion
	at time.Time // when this version of it was uploaded, zero if never
}

const scanChunk = 256

func (s *scanner) start() {
	s.out, s.stop, s.done = make(chan scanBatch), make(chan struct{}), make(chan struct{})
	go s.run()
}

// halt stops the walk and waits until it has.
func (s *scanner) halt() {
	close(s.stop)
	<-s.done
}

func (s *scanner) run() {
	defer close(s.done)
	stack := slices.Clone(s.dirs)
	for len(stack) > 0 {
		dir := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		sub, ok := s.dir(dir)
		if !ok {
			return
		}
		stack = append(stack, sub...)
	}
	s.send(scanBatch{last: true})
}

// send hands a batch to the folder; false once the walk is stopped.
func (s *scanner) send(b scanBatch) bool {
	select {
	case s.out <- b:
		return true
	case <-s.stop:
		return false
	}
}

// dir watches and reads one folder; it returns the folders in it.
func (s *scanner) dir(dir string) (subdirs []string, ok bool) {
	var b scanBatch
	if s.fsw != nil {
		if err := s.fsw.Add(dir); err != nil {
			// Read it all the same: this walk and the next find its files.
			if t := watchTrouble(dir, err, s.rescan); t != nil {
				b.trouble = append(b.trouble, t)
			}
		} else {
			b.watched = append(b.watched, dir)
		}
	}
	f, err := os.Open(dir)
	if err != nil {
		if t := readTrouble(dir, err); t != nil {
			b.trouble = append(b.trouble, t)
		}
		return nil, s.send(b)
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(scanChunk)
		var vs []engine.FileVersion
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			if e.IsDir() {
				if rel, _ := filepath.Rel(s.root, path); !s.filter.ignoresDir(rel) {
					subdirs = append(subdirs, path)
				}
				continue
			}
			if !s.filter.takes(name) {
				continue
			}
			// Stat follows a link to a file; a link to a folder is not
			// followed (it is not regular), so no loop is ever walked.
			fi, serr := os.Stat(path)
			if serr != nil || !fi.Mode().IsRegular() {
				continue
			}
			vs = append(vs, engine.VersionOf(path, fi))
		}
		if len(vs) > 0 {
			at, uerr := s.eng.Uploaded(s.dest, vs)
			if uerr != nil {
				b.err = uerr
				s.send(b)
				return nil, false
			}
			for i, v := range vs {
				b.files = append(b.files, found{v: v, at: at[i]})
			}
		}
		if len(b.watched)+len(b.files)+len(b.trouble) > 0 {
			if !s.send(b) {
				return nil, false
			}
			b = scanBatch{}
		}
		if err == io.EOF || len(entries) == 0 {
			return subdirs, true
		}
		if err != nil {
			if t := readTrouble(dir, err); t != nil && !s.send(scanBatch{trouble: []*trouble{t}}) {
				return nil, false
			}
			return subdirs, true
		}
	}
}

// startScan starts the walk that is wanted, if none runs. A walk the
// overflow asks for waits until settling has room for what it finds.
func (f *folder) startScan() {
	if f.scan != nil || f.state != Watching {
		return
	}
	if f.overflow && f.waiting.len() < f.w.opts.MaxPending/2 {
		f.overflow, f.fullWant = false, true
	}
	var dirs []string
	full := f.fullWant
	switch {
	case full:
		dirs = []string{f.cfg.Dir}
		f.walked = map[string]*trouble{}
	case len(f.scanWant) > 0:
		dirs = f.scanWant
	default:
		return
	}
	f.fullWant, f.scanWant = false, nil
	f.scan = &scanner{dirs: dirs, full: full, root: f.cfg.Dir, fsw: f.fsw, filter: f.filter,
		eng: f.w.eng, dest: f.cfg.Dest, rescan: f.rescanEvery()}
	f.scan.start()
}

// onScan takes what a walk found.
func (f *folder) onScan(b scanBatch, rescan *time.Timer) {
	for _, d := range b.watched {
		f.dirs[d] = true
	}
	for _, t := range b.trouble {
		if f.scan.full {
			f.walked[t.key] = t
		}
		f.warn(t)
	}
	if b.err != nil {
		f.scan.halt()
		f.scan = nil
		f.fail(b.err)
		return
	}
	now := time.Now()
	for _, fd := range b.files {
		if f.announce {
			f.seen[0]++
		}
		if !fd.at.IsZero() {
			if f.announce {
				f.seen[1]++
			}
			f.uploadedBefore(fd.v, fd.at)
			continue
		}
		if e := f.tracked[fd.v.Path]; e != nil && (e.state == inFlight || sameVersion(e.v, fd.v)) {
			continue // on its way, or left alone until it changes
		}
		if !f.waiting.observe(fd.v, now, now.Add(f.cfg.Settle)) {
			f.overflow = true
		}
	}
	if !b.last {
		return
	}
	full := f.scan.full
	f.scan.halt()
	f.scan = nil
	if !full {
		return
	}
	// The warnings of a whole walk are what is wrong now: a folder made
	// readable since is no longer named.
	for k := range f.warnings {
		if f.walked[k] == nil && (k != limitKey || f.fsw != nil) { // no watcher at all: still so
			delete(f.warnings, k)
			f.warnEdit = true
		}
	}
	f.walked = nil
	f.lastScan = now
	rescan.Reset(f.rescanEvery())
	if f.announce {
		f.emit(Event{Kind: Scanned, Count: f.seen[0], Before: f.seen[1]})
		f.announce, f.seen = false, [2]int{}
	}
}
