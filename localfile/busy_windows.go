package localfile

import (
	"errors"

	"golang.org/x/sys/windows"
)

func busy(path string) bool {
	p, err := windows.UTF16PtrFromString(longPath(path))
	if err != nil {
		return false
	}
	// Sharing reading and deleting but not writing: Windows refuses the
	// open while any handle to the file may write (or shares no reading).
	// Ferry's own handles only read, so they never count.
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return isSharingViolation(err)
	}
	windows.CloseHandle(h)
	return false
}

// isSharingViolation: another program's handle keeps this one out.
func isSharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
