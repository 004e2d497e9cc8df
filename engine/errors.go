package engine

import (
	"fmt"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/transfer"
)

// Error is every failure the engine reports: a Code a front-end can act
// on, a sentence a person can act on, and the cause (errors.Is/As).
type Error = transfer.Error

// Code names a kind of failure; see the transfer package for the list.
type Code = transfer.Code

// The codes a front-end is most likely to act on.
const (
	CodeAuth           = transfer.CodeAuth
	CodeTooLarge       = transfer.CodeTooLarge
	CodeNotTus         = transfer.CodeNotTus
	CodeUnreachable    = transfer.CodeUnreachable
	CodeConflict       = transfer.CodeConflict
	CodeBadURL         = transfer.CodeBadURL
	CodeFileGone       = transfer.CodeFileGone
	CodeFileUnreadable = transfer.CodeFileUnreadable
	CodeFileChanged    = transfer.CodeFileChanged
	CodeStore          = transfer.CodeStore
	// CodeNoDestination: a job's saved destination was removed.
	CodeNoDestination Code = "destination_missing"
	// CodeNoJob: a command named a job that is not in the queue.
	CodeNoJob Code = "no_such_job"
	// CodeWrongState: a command that does not fit the job's state (resume a
	// running job, retry a finished one).
	CodeWrongState Code = "wrong_state"
	// CodeArrived: a cancel came after the file had arrived whole; the
	// upload is kept and the error says where it is.
	CodeArrived Code = "already_arrived"
	// CodeBadSetting: a setting out of its range (a concurrency of 0).
	CodeBadSetting Code = "bad_setting"
	// CodeClosed: the engine is shut down; nothing was done.
	CodeClosed Code = "shut_down"
	// CodeUnclassified: a job failed again and again with an error no
	// code was given to; the sentence names it.
	CodeUnclassified Code = "unclassified"
	// CodeUnchecked: a test of a destination could not check everything
	// without uploading (ErrUnchecked says what).
	CodeUnchecked = dest.CodeUnchecked
)

// CodeOf returns err's code, "" if it has none.
func CodeOf(err error) Code { return transfer.CodeOf(err) }

func permanent(code Code, err error, format string, args ...any) *Error {
	return &Error{Kind: transfer.Permanent, Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// storeError is why a change could not be recorded; what says what it
// means for the user, as a sentence.
func storeError(what string, err error) *Error {
	return &Error{Kind: transfer.Permanent, Code: CodeStore, Err: err,
		Msg: fmt.Sprintf("Cannot write the queue database (%v): %s", err, what)}
}
