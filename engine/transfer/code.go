package transfer

import "errors"

// Code names what went wrong in terms a front-end can act on (open the
// destination, locate the file, free disk space...). The sentence in
// Error.Msg says it to a person; the code says it to a program.
type Code string

const (
	CodeNone           Code = ""
	CodeAuth           Code = "credentials_refused"     // 401/403: check the token
	CodeTooLarge       Code = "too_large"               // 413
	CodeNotTus         Code = "not_tus"                 // the URL is not a tus endpoint
	CodeBadRequest     Code = "rejected"                // 400 and other 4xx: check headers and metadata
	CodeUnreachable    Code = "destination_unreachable" // DNS, refused, TLS or certificate trouble
	CodeNetwork        Code = "network"                 // a dropped or stalled link (transient)
	CodeServer         Code = "server_error"            // 5xx, 423, 429 (transient)
	CodeConflict       Code = "offset_conflict"         // the server's offset cannot be trusted
	CodeGone           Code = "upload_gone"             // 404/410 on an upload
	CodeRedirect       Code = "redirected"              // a 301/302 on the creation URL
	CodeBadURL         Code = "bad_url"                 // a URL or header that cannot be sent
	CodeFileGone       Code = "file_gone"               // the local file was moved or deleted
	CodeFileUnreadable Code = "file_unreadable"         // permission denied, I/O error
	CodeFileChanged    Code = "file_changed"            // the file changed while it was sent
	CodeStore          Code = "store_failed"            // the queue database could not be written
	CodeLostCreation   Code = "creation_unanswered"     // creations in a row taken without an answer: orphans feared
)

// CodeOf returns the code of err, CodeNone if it has none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeNone
}
