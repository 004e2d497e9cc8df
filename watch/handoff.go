package watch

import (
	"errors"
	"os"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
	"github.com/ferry-app/ferry/watch/settings"
)

// settle looks at the files that are due: a file still since it was last
// seen (size and mtime the same, for the settle time) that can be opened
// is ready; the others wait again. Ready files go to the engine in
// batches.
func (f *folder) settle() {
	now := time.Now()
	var ready []engine.FileVersion
	for w := f.waiting.next(); w != nil && !w.due.After(now); w = f.waiting.next() {
		fi, err := os.Stat(w.path)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			// Gone, not a file, or empty: an empty file is one whose bytes
			// are still to come, and its next write brings it back.
			f.waiting.remove(w.path)
			continue
		}
		v := engine.VersionOf(w.path, fi)
		still := now.Sub(v.ModTime) >= f.cfg.Settle // the events were quiet that long; so was the file
		if w.seen {
			still = sameVersion(w.obs, v) && now.Sub(w.obsAt) >= f.cfg.Settle
		}
		if !still {
			f.waiting.again(w, v, now, now.Add(f.cfg.Settle))
			continue
		}
		if !readable(w.path) {
			// Held open for writing by its maker (Windows), or not ours
			// to read yet: look again later.
			f.waiting.again(w, v, now, now.Add(f.cfg.Settle))
			continue
		}
		f.waiting.remove(w.path)
		ready = append(ready, v)
		if len(ready) >= f.w.opts.Batch {
			f.hand(ready)
			ready = nil
		}
	}
	f.hand(ready)
}

// readable: the file opens for reading, as the engine will open it.
func readable(path string) bool {
	r, err := localfile.Open(path)
	if err != nil {
		return false
	}
	r.Close()
	return true
}

// hand gives still files to the engine in one AddMany, leaving out what is
// on its way already, what was uploaded before (no "already uploaded" job
// for every rescan), and what the user cancelled or paused.
func (f *folder) hand(ready []engine.FileVersion) {
	todo := ready[:0]
	for _, v := range ready {
		if e := f.tracked[v.Path]; e != nil && (e.state == inFlight || sameVersion(e.v, v)) {
			continue // its job sees a change itself; a failed or cancelled one waits for a new version
		}
		todo = append(todo, v)
	}
	if len(todo) == 0 {
		return
	}
	at, err := f.w.eng.Uploaded(f.cfg.Dest, todo)
	if err != nil {
		f.fail(err)
		return
	}
	var paths []string
	versions := map[string]engine.FileVersion{}
	for i, v := range todo {
		if !at[i].IsZero() {
			f.uploadedBefore(v, at[i])
			continue
		}
		// What the user said of this very file in the queue stands: a
		// cancelled job is left alone, a paused one stays paused.
		if j, ok := f.w.eng.JobFor(v.Path, f.cfg.Dest); ok && sameVersion(versionOfJob(j), v) {
			switch j.State {
			case engine.Cancelled:
				f.track(v.Path, &entry{id: j.ID, v: v, state: cancelled})
				continue
			case engine.Paused:
				f.track(v.Path, &entry{id: j.ID, v: v, state: inFlight})
				continue
			}
		}
		paths = append(paths, v.Path)
		versions[v.Path] = v
	}
	if len(paths) == 0 {
		return
	}
	for _, a := range f.w.eng.AddMany(paths, f.cfg.Dest) {
		if a.Err != nil {
			if errors.Is(a.Err, engine.ErrClosed) || fault.CodeOf(a.Err) == fault.CodeFileGone || errors.Is(a.Err, localfile.ErrSkipped) {
				continue // shutting down, or gone since: nothing to say
			}
			if fault.CodeOf(a.Err) == fault.CodeNoDestination {
				f.fail(a.Err)
				return
			}
			// Not queued (unreadable, not recorded): said once, tried
			// again when the file changes.
			f.track(a.Path, &entry{v: versions[a.Path], state: failed})
			f.emit(Event{Kind: Failed, Path: a.Path, Msg: a.Err.Error()})
			continue
		}
		j, ok := f.w.eng.Job(a.Job.ID)
		if !ok {
			continue // removed meanwhile
		}
		f.track(j.Path, &entry{id: j.ID, v: versionOfJob(j), state: inFlight})
		f.emit(Event{Kind: Queued, Path: j.Path, Job: j})
		if j.State.Terminal() || j.State == engine.Paused {
			// Already uploaded meanwhile (it comes back done, with no
			// event), or finished before this returned.
			f.onJob(j, false)
		}
	}
}

func versionOfJob(j engine.Job) engine.FileVersion {
	return engine.FileVersion{Path: j.Path, Size: j.Size, ModTime: j.ModTime}
}

// track records a file handed to the engine, in the counts too.
func (f *folder) track(path string, e *entry) {
	if old := f.tracked[path]; old != nil {
		f.count(old.state, -1)
	}
	f.tracked[path] = e
	f.count(e.state, +1)
}

func (f *folder) count(s entryState, n int) {
	switch s {
	case inFlight:
		f.queued += n
	case failed:
		f.failed += n
	}
}

// move puts a tracked file in another state, counts and all.
func (f *folder) move(e *entry, s entryState) {
	f.count(e.state, -1)
	e.state = s
	f.count(s, +1)
}

// onJob follows a job the folder queued: done, its after-upload action;
// failed or cancelled, said once. It costs O(1): the job's file is looked
// up by path, and a job the folder did not queue is ignored.
func (f *folder) onJob(j engine.Job, removed bool) {
	e := f.tracked[j.Path]
	if e == nil || e.id != j.ID {
		return
	}
	if removed {
		f.move(e, dropped) // left alone until the file changes
		return
	}
	switch j.State {
	case engine.Done:
		f.count(e.state, -1)
		delete(f.tracked, j.Path) // its completion record knows it from now on
		f.uploaded++
		f.bytes += j.Size
		// Kept at once (a write per file, never per progress), so the
		// count survives a restart; the engine writes it with its next
		// batch, without waiting for the disk here.
		f.w.eng.SaveWatchCounts(f.dir, settings.WatchCounts{Uploaded: f.uploaded, Bytes: f.bytes})
		f.emit(Event{Kind: Uploaded, Path: j.Path, Job: j})
		if j.Offset == j.Size {
			f.afterUpload(versionOfJob(j))
		}
	case engine.Failed:
		if e.state != failed {
			f.move(e, failed)
			f.emit(Event{Kind: Failed, Path: j.Path, Job: j, Msg: j.Error})
		}
	case engine.Cancelled:
		if e.state != cancelled {
			f.move(e, cancelled)
			f.emit(Event{Kind: Cancelled, Path: j.Path, Job: j})
		}
	default:
		if e.state != inFlight {
			f.move(e, inFlight) // retried in the queue
		}
		e.v = versionOfJob(j)
	}
}
