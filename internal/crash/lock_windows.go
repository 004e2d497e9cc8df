package crash

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

const supported = true

// lockAt is where the lock lies: one byte far past anything written, so
// the runtime's writes through its own handle never meet it.
func lockAt() *windows.Overlapped { return &windows.Overlapped{OffsetHigh: 0x40000000} }

func lockFile(f *os.File, wait bool) (bool, error) {
	flags := uint32(windows.LOCKFILE_EXCLUSIVE_LOCK)
	if !wait {
		flags |= windows.LOCKFILE_FAIL_IMMEDIATELY
	}
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, lockAt())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	}
	return false, err
}

// tryLock takes f's lock if no other handle holds it (another process:
// the lock ends with it).
func tryLock(f *os.File) (bool, error) { return lockFile(f, false) }

func unlockFile(f *os.File) { windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, lockAt()) }

// lockDir holds the crash folder for a moment: a run's file is locked
// before another start may look at it.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := lockFile(f, true); err != nil {
		f.Close()
		return nil, err
	}
	return func() { unlockFile(f); f.Close() }, nil
}
