//go:build unix

package main

import "syscall"

// syncDisk flushes all dirty data before a measured run, so that a run
// does not pay for the writeback of the one before (20 000 files of a
// cleared store, a data dir) through its own fsyncs.
func syncDisk() { syscall.Sync() }
