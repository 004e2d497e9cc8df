//go:build unix

package main

import (
	"os"
	"syscall"
	"time"
)

// watch needs nothing before Wait on Unix: getrusage of the reaped child
// has it all.
func watch(*os.Process) func(*os.ProcessState) usage {
	return func(ps *os.ProcessState) usage {
		ru, ok := ps.SysUsage().(*syscall.Rusage)
		if !ok || ru == nil {
			return usage{}
		}
		return usage{
			cpu:     time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
			peakRSS: int64(ru.Maxrss) * maxrssUnit,
		}
	}
}
