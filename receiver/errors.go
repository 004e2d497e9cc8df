package receiver

import (
	"errors"
	"net/http"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/fault"
)

// Answers written by the receiver itself. Like tusd's own, each is a code
// and a sentence; none names a server path, so a client learns nothing about
// this machine's files from an error.
var (
	errNotFound  = handler.ErrNotFound // the one answer for every id that is not a live upload
	errDiskFull  = handler.NewError("ERR_DISK_FULL", "the receiver's disk is full; the upload can resume once space is freed", http.StatusInsufficientStorage)
	errOverflow  = handler.NewError("ERR_UPLOAD_SIZE_EXCEEDED", "the request carried more bytes than Upload-Length; the upload was discarded", http.StatusRequestEntityTooLarge)
	errNotPart   = handler.NewError("ERR_INVALID_CONCAT", "Upload-Concat may only name partial uploads (Upload-Concat: partial)", http.StatusBadRequest)
	errPartTwice = handler.NewError("ERR_INVALID_CONCAT", "Upload-Concat names a partial upload more than once", http.StatusBadRequest)
	errMetaLarge = handler.NewError("ERR_METADATA_TOO_LARGE", "Upload-Metadata is larger than 4 KiB", http.StatusBadRequest)
)

// errStopped is a test's crash (store.stopAt).
var errStopped = errors.New("stopped here by a test")

// storeError is what a client hears when the disk fails: a sentence with
// the cause ("permission denied") but not the path it happened on.
func storeError(err error) error {
	var he handler.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &he):
		return err
	case diskFull(err):
		return errDiskFull
	}
	return handler.NewError("ERR_STORE_FAILED", "the receiver could not store the upload: "+fault.Cause(err), http.StatusInternalServerError)
}
