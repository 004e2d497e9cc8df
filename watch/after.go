package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch/settings"
)

// afterUpload keeps, moves or deletes a file whose upload is done, if it
// is still the version that was sent: a file changed since is a new
// version, which the watcher uploads in its turn, and is never touched.
// It is called only once the server has confirmed every byte (a done job,
// or a completion record, which is written when that happens).
func (f *folder) afterUpload(v engine.FileVersion) {
	if f.cfg.After == settings.AfterKeep || f.cfg.After == "" {
		return
	}
	fi, err := os.Stat(v.Path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != v.Size || !fi.ModTime().Equal(v.ModTime) {
		return // gone, or another version: nothing of what was sent is lost
	}
	switch f.cfg.After {
	case settings.AfterDelete:
		if err := os.Remove(v.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			f.sayAfter(Event{Kind: Failed, Path: v.Path, Msg: fmt.Sprintf("%s is uploaded but could not be deleted (%s); delete it yourself, or give your user write access to its folder.", v.Path, cause(err))})
			return
		}
		f.emit(Event{Kind: Deleted, Path: v.Path})
	case settings.AfterMove:
		to, err := moveInto(f.cfg.Dir, f.cfg.MoveTo, v.Path)
		if err != nil {
			into := filepath.Join(f.cfg.Dir, f.cfg.MoveTo)
			msg := fmt.Sprintf("%s is uploaded but could not be moved into %s (%s); move it yourself, or give your user write access there.", v.Path, into, cause(err))
			if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
				// One sentence for the folder, not one per file.
				msg = fmt.Sprintf("Uploaded files cannot be moved into %s: something on that path is a file, not a folder. Rename it, or choose another sub-folder in the watch folder's settings.", into)
			}
			f.sayAfter(Event{Kind: Failed, Path: v.Path, Msg: msg})
			return
		}
		f.emit(Event{Kind: Moved, Path: v.Path, To: to})
	}
}

// sayAfter reports an after-upload failure once: walks find the file
// again and again until it is dealt with.
func (f *folder) sayAfter(ev Event) {
	if f.afterSaid[ev.Msg] {
		return
	}
	if len(f.afterSaid) >= 4096 { // bounded: a few repeats beat unbounded memory
		clear(f.afterSaid)
	}
	f.afterSaid[ev.Msg] = true
	f.emit(ev)
}

// moveInto moves path, a file in the watch folder root, to the same place
// under root/sub (root/a/b.mp4 → root/uploaded/a/b.mp4), never over a
// file already there: "b (1).mp4" then.
func moveInto(root, sub, path string) (string, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is not in %s", path, root)
	}
	target := filepath.Join(root, sub, rel)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", err
	}
	ext := filepath.Ext(target)
	base := strings.TrimSuffix(target, ext)
	for n := 1; ; n++ {
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if n > 1000 {
			return "", fmt.Errorf("%s and a thousand more names are taken", target)
		}
		target = fmt.Sprintf("%s (%d)%s", base, n, ext)
	}
	return target, os.Rename(path, target)
}

// uploadedBefore handles a file a walk (or a settle) found uploaded
// already: its after-upload action, if the upload finished once the
// folder was watched. A file sent some other way before the folder was
// added is left alone: the folder did not upload it.
func (f *folder) uploadedBefore(v engine.FileVersion, at time.Time) {
	if !at.Before(f.cfg.Added) {
		f.afterUpload(v)
	}
}
