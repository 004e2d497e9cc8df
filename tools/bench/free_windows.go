package main

import "golang.org/x/sys/windows"

// freeBytes is the space available to us on the volume holding dir; ok is
// false when it cannot be told.
func freeBytes(dir string) (n int64, ok bool) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false
	}
	var avail uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, nil, nil); err != nil {
		return 0, false
	}
	return int64(avail), true
}
