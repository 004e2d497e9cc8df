//go:build unix

package localfile

import (
	"fmt"
	"os"
	"syscall"
)

// fileID is the file's device and inode: a file replaced by another of the
// same name, size and mtime has another.
func fileID(_ *os.File, fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%x:%x", uint64(st.Dev), uint64(st.Ino))
	}
	return ""
}

// changeTime is when the file's inode last changed: a write anywhere in it
// moves it, and unlike mtime it cannot be set back (touch -r).
func changeTime(_ *os.File, fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return ctime(st)
	}
	return 0
}
