package transfer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Kind says what the engine should do about an error. Errors are
// classified once, here, where the protocol is known; the engine asks the
// kind and never parses messages.
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
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err; errors not made here are transient.
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

// errStalled cancels a request that moved no bytes for too long.
var errStalled = errors.New("stalled")

// errReshape cancels a request so the next one can use other settings
// (a rate limit switched on mid-PATCH). It is retried at once.
var errReshape = errors.New("transfer settings changed")

// IsReshape reports whether err only asks for an immediate new request.
func IsReshape(err error) bool { return errors.Is(err, errReshape) }

// netError turns a failed request into an Error. It returns the parent
// context's error untouched so pause and cancel are seen as such.
func netError(parent, reqCtx context.Context, target string, err error, stall time.Duration) error {
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	host := hostOf(target)
	switch cause := context.Cause(reqCtx); {
	case errors.Is(cause, errStalled):
		return &Error{Kind: Transient, Msg: fmt.Sprintf("The connection to %s stalled (no bytes moved for %s)", host, stall.Round(time.Second)), Err: err}
	case errors.Is(cause, errReshape):
		return &Error{Kind: Transient, Msg: "Transfer settings changed", Err: errReshape}
	}
	var (
		uerr *url.Error
		cerr *x509.CertificateInvalidError
		herr x509.HostnameError
		aerr x509.UnknownAuthorityError
		derr *net.DNSError
	)
	switch {
	case errors.As(err, &cerr), errors.As(err, &herr), errors.As(err, &aerr):
		return &Error{Kind: Permanent, Msg: fmt.Sprintf("The certificate of %s is not trusted (%v). Check the URL, or the server's TLS setup.", host, err), Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: Transient, Msg: fmt.Sprintf("Cannot reach %s (connection refused)", host), Err: err}
	case errors.As(err, &derr):
		return &Error{Kind: Transient, Msg: fmt.Sprintf("Cannot find %s (offline or DNS failure)", host), Err: err}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return &Error{Kind: Transient, Msg: fmt.Sprintf("The connection to %s dropped", host), Err: err}
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return &Error{Kind: Transient, Msg: fmt.Sprintf("The connection to %s timed out", host), Err: err}
	case errors.As(err, &uerr) && strings.Contains(uerr.Err.Error(), "unsupported protocol"):
		return &Error{Kind: Permanent, Msg: fmt.Sprintf("%q is not an http(s) URL.", target), Err: err}
	}
	return &Error{Kind: Transient, Msg: fmt.Sprintf("Network error talking to %s (%v)", host, rootCause(err)), Err: err}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

func hostOf(target string) string {
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Host
	}
	return target
}

// statusError explains an unexpected HTTP answer to op ("create", "head",
// "patch", "terminate").
func statusError(op, target string, res *http.Response) *Error {
	code := res.StatusCode
	e := &Error{Status: code, Err: fmt.Errorf("%s %s: HTTP %d", op, target, code)}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Kind, e.Msg = Permanent, fmt.Sprintf("The server refused the credentials (%d). Check the Authorization header or token.", code)
	case code == http.StatusRequestEntityTooLarge:
		e.Kind, e.Msg = Permanent, "The server refused the file as too large (413). Check the server's maximum upload size."
	case code == http.StatusConflict:
		e.Kind, e.Msg = Conflict, "The server's upload offset differs from ours (409)"
	case (code == http.StatusNotFound || code == http.StatusGone) && op != "create":
		e.Kind, e.Msg = Gone, fmt.Sprintf("The server no longer has the upload (%d)", code)
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed || code == http.StatusNotImplemented:
		e.Kind, e.Msg = Permanent, fmt.Sprintf("%s has no tus upload endpoint (%d to the creation request). Check the upload URL.", target, code)
	case code == http.StatusPreconditionFailed:
		e.Kind, e.Msg = Permanent, fmt.Sprintf("%s does not speak tus 1.0.0 (412). Check the upload URL.", target)
	case code == http.StatusLocked:
		e.Kind, e.Msg = Transient, "The server is still busy with the previous request (423)"
	case code == http.StatusTooManyRequests:
		e.Kind, e.Msg = Transient, "The server asked us to slow down (429)"
	case code == http.StatusRequestTimeout:
		e.Kind, e.Msg = Transient, "The server timed out waiting for data (408)"
	case code >= 500:
		e.Kind, e.Msg = Transient, fmt.Sprintf("The server had a problem (%d %s)", code, http.StatusText(code))
	case code == http.StatusBadRequest:
		hint := bodyHint(res)
		switch {
		case strings.Contains(hint, "ERR_UPLOAD_INTERRUPTED"):
			// tusd: a newer request for the same upload took it over.
			e.Kind, e.Msg = Transient, "The server interrupted the request for a newer one (400)"
		case op == "create":
			e.Kind, e.Msg = Permanent, fmt.Sprintf("The server rejected the upload request (400)%s. Check the headers and metadata.", hint)
		default:
			e.Kind, e.Msg = Permanent, fmt.Sprintf("The server rejected the %s request (400)%s.", strings.ToUpper(op), hint)
		}
	default:
		e.Kind, e.Msg = Permanent, fmt.Sprintf("The server answered %d %s to the %s request%s.", code, http.StatusText(code), op, bodyHint(res))
	}
	e.RetryAfter = retryAfter(res.Header.Get("Retry-After"))
	return e
}

// notTus explains an answer that is well-formed HTTP but not tus.
func notTus(target, what string) *Error {
	return &Error{Kind: Permanent, Msg: fmt.Sprintf("%s does not look like a tus server (%s). Check the upload URL.", target, what)}
}

func bodyHint(res *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	s := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	return ": " + s
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
