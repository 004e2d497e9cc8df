//go:build unix

package receiver

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// userMode gives a received file the mode a new file of the user gets
// (0666 less the umask), not the work folder's private 0600.
func userMode(path string) { os.Chmod(path, 0o666&^umask()) }

// umask is the process's file mode mask: read from /proc on Linux, where
// reading it changes nothing; elsewhere set and put back at once, before
// the receiver creates files.
var umask = sync.OnceValue(func() os.FileMode {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return os.FileMode(m)
				}
			}
		}
	}
	m := syscall.Umask(0o22)
	syscall.Umask(m)
	return os.FileMode(m)
})

// syncDir flushes a folder, so a rename in it survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
