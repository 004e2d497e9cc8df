//go:build unix

package app

import "syscall"

// mkfifo makes a named pipe: a path that is not a regular file.
func mkfifo(path string) bool { return syscall.Mkfifo(path, 0o644) == nil }
