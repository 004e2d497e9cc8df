//go:build darwin || freebsd || netbsd || openbsd || dragonfly || ios

package localfile

import "syscall"

func ctime(st *syscall.Stat_t) int64 { return st.Ctimespec.Nano() }
