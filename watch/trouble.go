package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// trouble is a problem met in a folder, as a sentence a person can act
// on; key says which problem it is, so it is reported once.
type trouble struct {
	key  string // the sub-folder, or limitKey
	path string // the sub-folder concerned
	msg  string
}

// limitKey marks the system's limit on watches: one warning per folder.
const limitKey = "\x00limit"

// watchTrouble is the sentence for a folder fsnotify cannot watch, nil if
// it went away meanwhile. Files there are still found by rescans.
func watchTrouble(dir string, err error, rescan time.Duration) *trouble {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil
	case errors.Is(err, fs.ErrPermission):
		return readTrouble(dir, err)
	case errors.Is(err, syscall.ENOSPC) && runtime.GOOS == "linux":
		return &trouble{key: limitKey, path: dir, msg: fmt.Sprintf(
			"The system's limit on watched folders (fs.inotify.max_user_watches) is reached, so %s and the folders below it are not watched for changes; new files there are found by rescans, every %s. To watch them, raise it: sudo sysctl fs.inotify.max_user_watches=524288 (put fs.inotify.max_user_watches=524288 in /etc/sysctl.d/90-ferry.conf to keep it).",
			dir, every(rescan))}
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		hint := "raise the limit on open files (ulimit -n)"
		if runtime.GOOS == "linux" {
			hint = "raise fs.inotify.max_user_instances (sudo sysctl fs.inotify.max_user_instances=1024) or the limit on open files (ulimit -n)"
		}
		return &trouble{key: limitKey, path: dir, msg: fmt.Sprintf(
			"Too many files are open to watch %s for changes; new files there are found by rescans, every %s. To watch it, %s.",
			dir, every(rescan), hint)}
	}
	return &trouble{key: dir, path: dir, msg: fmt.Sprintf("Cannot watch %s for changes (%s); new files there are found by rescans, every %s.",
		dir, cause(err), every(rescan))}
}

// readTrouble is the sentence for a sub-folder that cannot be read: it is
// skipped, the rest of the folder is not.
func readTrouble(dir string, err error) *trouble {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if errors.Is(err, fs.ErrPermission) {
		return &trouble{key: dir, path: dir, msg: fmt.Sprintf(
			"Cannot read %s: permission denied; skipped, its files are not uploaded. Give your user read access to it to have them uploaded.", dir)}
	}
	return &trouble{key: dir, path: dir, msg: fmt.Sprintf("Cannot read %s (%s); skipped, its files are not uploaded.", dir, cause(err))}
}

// missingSentence is the state line of a folder that is not there.
func missingSentence(dir string) string {
	return fmt.Sprintf("%s is not there (deleted, renamed, or its disk is not mounted); it is watched again as soon as it is back.", dir)
}

// cause is an error without the path a sentence already names.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return strings.TrimSuffix(err.Error(), ".")
}

// every writes a rescan interval as people read it: "10m", "1m30s", "1h".
func every(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
