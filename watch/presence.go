package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// lost: the folder is not there, or cannot be read.
func (f *folder) lost(err error) {
	f.teardown()
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		f.unplug = false // whatever is made there next is watched
		if f.state != Missing {
			f.setState(Missing, missingSentence(f.cfg.Dir))
			f.emit(Event{Kind: Trouble, Msg: f.problem})
		}
		return
	}
	msg := readTrouble(f.cfg.Dir, err).msg
	if msg != f.problem {
		f.setState(Failing, msg)
		f.emit(Event{Kind: Trouble, Msg: msg})
	}
}

// checkPresence notices a folder deleted, made again, or whose disk was
// unmounted or mounted: fsnotify says nothing when a disk goes away.
func (f *folder) checkPresence() {
	if f.cfg.Paused || f.stuck {
		return
	}
	fi, err := os.Stat(f.cfg.Dir)
	switch {
	case err != nil || !fi.IsDir():
		f.lost(err)
	case f.unplug:
		if mountPoint(f.cfg.Dir, fi) {
			f.setup() // a disk is mounted there again
		}
	case f.root == nil:
		f.setup() // back
	case !os.SameFile(f.root, fi):
		f.teardown()
		if f.mounted && !mountPoint(f.cfg.Dir, fi) {
			// The folder stays, an empty mount point: its disk went.
			f.unplug = true
			f.setState(Missing, fmt.Sprintf("The disk mounted at %s is gone (unmounted); the folder is watched again once a disk is mounted there.", f.cfg.Dir))
			f.emit(Event{Kind: Trouble, Msg: f.problem})
			return
		}
		f.setup() // another folder of that name (made again, a disk mounted on it): start over
	}
}

func (f *folder) rescanEvery() time.Duration {
	if f.warnings[limitKey] != nil {
		// Part of the folder is not watched: look more often.
		return min(f.w.opts.Rescan, degradedRescan)
	}
	return f.w.opts.Rescan
}

// degradedRescan is how often a folder not wholly watched is walked.
const degradedRescan = time.Minute
