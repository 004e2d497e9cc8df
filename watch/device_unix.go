//go:build unix

package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// mountPoint: dir is where a file system is mounted (its device is not
// its parent's), so the folder can stay while its disk goes.
func mountPoint(dir string, fi fs.FileInfo) bool {
	parent, err := os.Stat(filepath.Dir(dir))
	if err != nil {
		return false
	}
	a, ok1 := fi.Sys().(*syscall.Stat_t)
	b, ok2 := parent.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Dev != b.Dev
}
