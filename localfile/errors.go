package localfile

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ferry-app/ferry/fault"
)

// Error is the sentence for a path that cannot be read, with its code
// (CodeFileGone, CodeFileUnreadable, or CodeFileBusy, which passes) and
// the cause kept.
func Error(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fault.Wrap(fault.CodeFileGone, err, "%s does not exist.", path)
	case isSharingViolation(err):
		return &fault.Error{Kind: fault.Transient, Code: fault.CodeFileBusy, Err: err,
			Msg: fmt.Sprintf("%s is open in another program; Ferry sends it once that program closes it.", path)}
	case errors.Is(err, fs.ErrPermission):
		return fault.Wrap(fault.CodeFileUnreadable, err, "Cannot read %s: permission denied.", path)
	}
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return fault.Wrap(fault.CodeFileUnreadable, err, "Cannot read %s: %v.", path, cause)
}

// Gone is the sentence for a file that was there when it was queued and
// cannot be read now: moved or deleted, or Error's other reasons.
func Gone(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fault.Wrap(fault.CodeFileGone, err, "The file %s is gone (moved or deleted).", path)
	}
	return Error(path, err)
}
