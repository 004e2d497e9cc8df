//go:build darwin || freebsd || netbsd || openbsd || dragonfly || ios

package engine

import "syscall"

func ctime(st *syscall.Stat_t) int64 { return st.Ctimespec.Nano() }
