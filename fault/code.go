package fault

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
	CodeFileBusy       Code = "file_busy"               // open in another program (Windows): wait
	CodeStore          Code = "store_failed"            // the queue database could not be written
	CodeLostCreation   Code = "creation_unanswered"     // creations in a row taken without an answer: orphans feared

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
	// CodeBadSetting: a setting out of its range (a concurrency of 0, a
	// receive folder that cannot be made, a token file others can read).
	CodeBadSetting Code = "bad_setting"
	// CodeClosed: the engine is shut down; nothing was done.
	CodeClosed Code = "shut_down"
	// CodeUnclassified: a job failed again and again with an error no
	// code was given to; the sentence names it.
	CodeUnclassified Code = "unclassified"
	// CodeUnchecked: a test of a destination could not check everything
	// without uploading (dest.ErrUnchecked says what).
	CodeUnchecked Code = "unchecked"
	// CodeKeychain: the keychain refused a change or a read; what the
	// sentence says was done stands.
	CodeKeychain Code = "keychain"
	// CodeLocked: another Ferry holds the queue database.
	CodeLocked Code = "queue_in_use"
	// CodeCannotListen: the receiver cannot listen where it was told (a
	// port in use, an address this machine lacks).
	CodeCannotListen Code = "cannot_listen"
	// CodeDamaged: the queue database cannot be read; Ferry has not
	// touched it.
	CodeDamaged Code = "queue_damaged"
	// CodeNoServer: no running Ferry answers on the control socket.
	CodeNoServer Code = "no_running_ferry"
	// CodeNoWindow: the running Ferry has no window to show or to take
	// files (a terminal one, or an older version).
	CodeNoWindow Code = "no_window"
	// CodeUsage: a command line that cannot be run as written.
	CodeUsage Code = "usage"
)

// CodeOf returns the code of err, CodeNone if it has none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeNone
}
