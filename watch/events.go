package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// onEvent marks what fsnotify says changed; it never reads a file.
func (f *folder) onEvent(ev fsnotify.Event) {
	name := ev.Name
	if name == f.cfg.Dir {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			f.checkPresence()
		}
		return
	}
	rel, err := filepath.Rel(f.cfg.Dir, name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return
	}
	if parent := filepath.Dir(rel); parent != "." && f.filter.ignoresDir(parent) {
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		f.waiting.remove(name)
		if f.dirs[name] {
			f.forgetDir(name)
		}
		return
	}
	if ev.Has(fsnotify.Create) {
		fi, err := os.Lstat(name)
		if err != nil {
			return
		}
		if fi.IsDir() {
			if !f.filter.ignoresDir(rel) {
				// Watch it and take what is in it already (mkdir -p, a
				// folder moved in).
				f.scanWant = append(f.scanWant, name)
			}
			return
		}
	}
	if !f.filter.takes(filepath.Base(name)) {
		return
	}
	if !f.waiting.touch(name, time.Now().Add(f.cfg.Settle)) {
		f.overflow = true
	}
}

// forgetDir stops watching a folder that went away or was renamed, and
// the folders below it (their watches would report the old names).
func (f *folder) forgetDir(dir string) {
	prefix := dir + string(filepath.Separator)
	for d := range f.dirs {
		if d == dir || strings.HasPrefix(d, prefix) {
			delete(f.dirs, d)
			if f.fsw != nil {
				f.fsw.Remove(d)
			}
		}
	}
}

// unwatched: fsnotify stopped by itself (it never should): start over,
// with a full walk.
func (f *folder) unwatched() {
	f.teardown()
	f.setup()
}

func (f *folder) onWatchError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		// The system dropped events: only a walk knows what happened.
		f.overflow = true
		return
	}
	if t := watchTrouble(f.cfg.Dir, err, f.rescanEvery()); t != nil {
		f.warn(t)
	}
	f.overflow = true
}
