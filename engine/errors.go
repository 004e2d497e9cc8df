package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
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
	// CodeUnchecked: a test of a destination could not check everything
	// without uploading (ErrUnchecked says what).
	CodeUnchecked Code = "unchecked"
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

// savedFor names where a destination's secrets are kept, for a sentence:
// " saved for studio", or "" for a URL given for one run.
func savedFor(d Destination) string {
	if d.Name == "" {
		return ""
	}
	return " saved for " + d.Name
}

// refused is the sentence for a destination's credentials refused (401 or
// 403) by the API or server they went to, in the provider's own words:
// Cloudflare's API token, Vimeo's access token, the headers of a backend
// or a tus server. cause is kept for logs, never formatted in.
func refused(d Destination, status int, cause error) *Error {
	var msg string
	switch d.kind() {
	case KindCloudflare:
		msg = fmt.Sprintf("Cloudflare refused the API token (%d). Check the API token%s.", status, savedFor(d))
		if status == http.StatusForbidden {
			msg = fmt.Sprintf("Cloudflare refused the API token (403). Check the API token%s: it needs the Stream Edit permission on account %s.", savedFor(d), d.Account)
		}
	case KindVimeo:
		msg = fmt.Sprintf("Vimeo refused the access token (%d). Check the access token%s.", status, savedFor(d))
		if status == http.StatusForbidden {
			msg = fmt.Sprintf("Vimeo refused the access token (403). Check the access token%s: it needs the upload scope.", savedFor(d))
		}
	case KindBackend:
		msg = fmt.Sprintf("The backend refused the credentials (%d). Check the headers%s (the key or Authorization header it expects).", status, savedFor(d))
	default:
		msg = fmt.Sprintf("The server refused the credentials (%d). Check the Authorization header%s, or the token in it.", status, savedFor(d))
	}
	return &Error{Kind: transfer.Permanent, Code: CodeAuth, Status: status, Msg: msg, Err: cause}
}

// handedOutRefused is the sentence for an upload URL on another origin
// than the destination's (Vimeo's upload_link, a one-time Stream URL, a
// tus server's Location elsewhere) refused with 401 or 403: it got no
// credentials from Ferry, so no token is to blame; a new upload gets a
// new URL.
func handedOutRefused(d Destination, status int, cause error) *Error {
	who := "the server"
	switch d.kind() {
	case KindCloudflare:
		who = "Cloudflare"
	case KindVimeo:
		who = "Vimeo"
	case KindBackend:
		who = "the backend"
	}
	return &Error{Kind: transfer.Permanent, Code: CodeAuth, Status: status, Err: cause,
		Msg: fmt.Sprintf("The upload URL %s handed out was refused (%d); Ferry sends no credentials there. Cancel the file and retry it to get a new URL.", who, status)}
}

// inWords puts an attempt's error in the destination's own words where
// the transfer package, which knows no providers, could not: credentials
// refused (which secret to check, or none for an upload URL on another
// origin, which gets none), and Stream's 404 for an unknown account.
// upload is the URL the failed request went to ("" for the creation
// request).
func inWords(d Destination, upload string, err error) error {
	te, ok := err.(*Error)
	if !ok || te.Status == 0 {
		return err
	}
	switch {
	case te.Code == CodeAuth && upload != "" && !sameOrigin(upload, d.Endpoint()):
		return handedOutRefused(d, te.Status, te.Err)
	case te.Code == CodeAuth && (d.Name != "" || d.kind() != KindTus):
		return refused(d, te.Status, te.Err)
	case te.Code == CodeNotTus && upload == "" && d.kind() == KindCloudflare && te.Status == http.StatusNotFound:
		return unknownAccount(d, te.Status, te.Err)
	}
	return err
}

// unknownAccount is Cloudflare's answer for an account id it does not know.
func unknownAccount(d Destination, status int, cause error) *Error {
	return &Error{Kind: transfer.Permanent, Code: CodeBadURL, Status: status, Err: cause,
		Msg: fmt.Sprintf("Cloudflare does not know the account %s (%d). Check the account id%s.", d.Account, status, savedFor(d))}
}

// sameOrigin: a and b have one scheme, host and port (the default port
// spelled out or not), so a request to one carries the other's headers.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub)
}
