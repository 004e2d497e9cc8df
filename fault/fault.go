// Package fault is Ferry's one error type: a Code a program can act on
// (it survives the control socket and --json), a sentence a person can
// act on, the cause reachable with errors.Is and errors.As (never
// formatted into the sentence as a sentence of its own), the HTTP status
// where there is one, and a Kind that says whether trying again can help.
// Every package of Ferry makes its errors here.
package fault

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind says what the engine should do about an error. Errors are
// classified once, where they are made (the transfer package knows the
// protocol); the engine asks the kind and never parses messages.
type Kind int

const (
	// Transient: the link or the server is unwell; wait and try again.
	Transient Kind = iota
	// Permanent: trying again will not help until a person acts.
	Permanent
	// Conflict: the server's offset differs from ours (409); ask it and go on.
	Conflict
	// Gone: the server no longer has the upload (404/410); start a new one.
	Gone
)

// Error is a failure with a sentence a person can act on.
type Error struct {
	Kind       Kind
	Code       Code
	Status     int           // HTTP status, 0 for network errors
	RetryAfter time.Duration // the server's Retry-After, if any
	Msg        string
	Err        error // the cause, for logs and errors.Is
	// Reached: the server had the whole request when it failed, so a
	// creation may have made an upload whose answer was lost.
	Reached bool
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err; an error without one is transient
// (the engine tries it again a bounded number of times).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Transient
}

// RetryAfterOf returns the server's requested delay, if any.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// New is a permanent error: a code and a sentence, no cause.
func New(code Code, format string, args ...any) *Error {
	return &Error{Kind: Permanent, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap is a permanent error with its cause kept for errors.Is and logs.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Kind: Permanent, Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// Cause is the innermost error of err's chain as text ("permission
// denied", "connection refused"): what a sentence may name of its cause.
// A sentence never carries another error's whole sentence.
func Cause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	if err == nil {
		return ""
	}
	// Windows' words end with a stop ("Access is denied."): the sentence
	// that names them has its own.
	return strings.TrimSuffix(strings.TrimSpace(err.Error()), ".")
}
