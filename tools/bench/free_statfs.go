//go:build linux || darwin

package main

import "syscall"

// freeBytes is the space available to us on the file system holding dir;
// ok is false when it cannot be told.
func freeBytes(dir string) (n int64, ok bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
