package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"

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
)

// CodeOf returns err's code, "" if it has none.
func CodeOf(err error) Code { return transfer.CodeOf(err) }

func permanent(code Code, err error, format string, args ...any) *Error {
	return &Error{Kind: transfer.Permanent, Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// FileError is the sentence for a path that cannot be read.
func FileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return permanent(CodeFileGone, err, "%s does not exist.", path)
	case errors.Is(err, fs.ErrPermission):
		return permanent(CodeFileUnreadable, err, "Cannot read %s: permission denied.", path)
	}
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return permanent(CodeFileUnreadable, err, "Cannot read %s: %v.", path, cause)
}

// CheckURL says in a sentence why a destination URL cannot be used.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return permanent(CodeBadURL, err, "%q is not an upload URL: it should look like https://host/files/.", raw)
	}
	return nil
}

// CheckDestination says in a sentence why a destination cannot be used:
// its URL, or a header that cannot be sent (a name with spaces, a value
// with a line break).
func CheckDestination(d Destination) error {
	if err := CheckURL(d.URL); err != nil {
		return err
	}
	for k, vs := range d.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return permanent(CodeBadURL, nil, "%q is not a valid header name.", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return permanent(CodeBadURL, nil, "The value of header %s has a line break or a control character; it cannot be sent.", k)
			}
		}
	}
	for k := range d.Meta {
		if k == "" || strings.ContainsAny(k, " ,") {
			return permanent(CodeBadURL, nil, "%q is not a metadata key (no spaces or commas).", k)
		}
	}
	return nil
}

// storeError is why a change could not be recorded; what says what it
// means for the user, as a sentence.
func storeError(what string, err error) *Error {
	return &Error{Kind: transfer.Permanent, Code: CodeStore, Err: err,
		Msg: fmt.Sprintf("Cannot write the queue database (%v): %s", err, what)}
}
