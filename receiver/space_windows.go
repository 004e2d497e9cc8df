//go:build windows

package receiver

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// freeSpace is what the current user may still put on dir's disk.
func freeSpace(dir string) (int64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, err
	}
	return int64(avail), nil
}

func diskFull(err error) bool {
	return errors.Is(err, syscall.Errno(windows.ERROR_DISK_FULL)) || errors.Is(err, syscall.Errno(windows.ERROR_HANDLE_DISK_FULL))
}
