package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// maxRetryAfter caps the server's Retry-After: a typo or a clock far off
// must not park an upload for hours.
const maxRetryAfter = 5 * time.Minute

var (
	// errStalled cancels a request that moved no bytes for too long.
	errStalled = errors.New("stalled")
	// errReshape cancels a request so the next one can use other settings
	// (a rate limit switched on mid-PATCH). It is retried at once.
	errReshape = errors.New("transfer settings changed")
)

// noAnswer cancels a request the server has all of but did not answer
// within wait.
type noAnswer struct{ wait time.Duration }

func (e *noAnswer) Error() string { return "no answer within " + e.wait.String() }

// IsReshape reports whether err only asks for an immediate new request.
func IsReshape(err error) bool { return errors.Is(err, errReshape) }

// netError turns a failed request into an Error. It returns the parent
// context's error untouched so pause and cancel are seen as such.
func (c *Client) netError(parent, reqCtx context.Context, target string, err error) error {
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) && uerr.URL != "" {
		target = uerr.URL // after a redirect, the URL that failed
	}
	host := HostOf(target)
	var na *noAnswer
	switch cause := context.Cause(reqCtx); {
	case errors.Is(cause, errStalled):
		return &fault.Error{Kind: fault.Transient, Code: fault.CodeNetwork, Msg: fmt.Sprintf("The connection to %s stalled (no bytes moved for %s)", host, c.stall().Round(time.Second)), Err: err}
	case errors.As(cause, &na):
		return &fault.Error{Kind: fault.Transient, Code: fault.CodeServer, Msg: fmt.Sprintf("%s did not answer within %s of receiving the whole request", host, na.wait.Round(time.Second)), Err: err}
	case errors.Is(cause, errReshape):
		return &fault.Error{Kind: fault.Transient, Code: fault.CodeNetwork, Msg: "Transfer settings changed", Err: errReshape}
	}
	if c.hasAnswered(target) {
		return classify(err, host, target, true)
	}
	return c.neverAnswered(target, classify(err, host, target, false))
}

// classify names a network error. Until an origin has answered once in
// this process, errors that say the URL itself is wrong (no such host,
// TLS to a plain port, an untrusted certificate) are permanent: retrying
// cannot help. After that they are a link gone bad, and transient.
func classify(err error, host, target string, answered bool) *fault.Error {
	e := &fault.Error{Kind: fault.Transient, Code: fault.CodeNetwork, Err: err}
	set := func(k fault.Kind, c fault.Code, format string, a ...any) *fault.Error {
		e.Kind, e.Code, e.Msg = k, c, fmt.Sprintf(format, a...)
		return e
	}
	var derr *dnsError
	var loop *redirectLoop
	switch {
	case errors.As(err, &loop):
		return set(fault.Permanent, fault.CodeRedirect, "%s redirects the request in a loop (%d redirects, back to where it was or past the limit). Check the upload URL.", loop.host, loop.hops)
	case badHeaderErr(err):
		return set(fault.Permanent, fault.CodeBadURL, "A header for %s cannot be sent (%s). Check the destination's headers.", host, fault.Cause(err))
	case isRecordHeader(err) && !answered:
		return set(fault.Permanent, fault.CodeUnreachable, "%s does not speak TLS (an http:// server behind an https:// URL?). Check the URL.", host)
	case isCertError(err) && !answered:
		return set(fault.Permanent, fault.CodeUnreachable, "The certificate of %s is not trusted (%s). Check the URL, or the server's TLS setup.", host, fault.Cause(err))
	case isRecordHeader(err), isCertError(err):
		return set(fault.Transient, fault.CodeNetwork, "The secure connection to %s failed (%s)", host, fault.Cause(err))
	case connRefused(err):
		return set(fault.Transient, fault.CodeUnreachable, "Cannot reach %s (connection refused); is the server running?", host)
	case asDNS(err, &derr) && derr.IsNotFound && !answered:
		return set(fault.Permanent, fault.CodeUnreachable, "The host name %s does not exist. Check the URL.", derr.Name)
	case asDNS(err, &derr):
		return set(fault.Transient, fault.CodeNetwork, "Cannot find %s (offline or DNS failure)", host)
	case netUnreachable(err):
		return set(fault.Transient, fault.CodeNetwork, "Cannot reach %s (no route to it; offline?)", host)
	case connDropped(err), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), isClosed(err):
		return set(fault.Transient, fault.CodeNetwork, "The connection to %s dropped", host)
	case timedOut(err), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return set(fault.Transient, fault.CodeNetwork, "The connection to %s timed out", host)
	case strings.Contains(err.Error(), "unsupported protocol"):
		return set(fault.Permanent, fault.CodeBadURL, "%q is not an http(s) URL.", target)
	}
	return set(fault.Transient, fault.CodeNetwork, "Network error talking to %s (%s)", host, fault.Cause(err))
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// HostOf is a URL's host, for a sentence; the text itself when it has none.
func HostOf(target string) string {
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Host
	}
	return target
}

// badURL explains a URL that cannot be requested.
func badURL(target string, err error) *fault.Error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeBadURL, Msg: fmt.Sprintf("%q is not a valid URL.", target), Err: err}
}

// statusError explains an unexpected HTTP answer to op ("create", "head",
// "patch", "terminate").
func statusError(op, target string, res *http.Response) *fault.Error {
	code := res.StatusCode
	e := &fault.Error{Status: code, Err: fmt.Errorf("%s %s: HTTP %d", op, target, code)}
	set := func(k fault.Kind, c fault.Code, msg string) { e.Kind, e.Code, e.Msg = k, c, msg }
	switch {
	case code/100 == 3:
		loc := resolve(res, res.Header.Get("Location"))
		if op == "create" {
			set(fault.Permanent, fault.CodeRedirect, fmt.Sprintf("The upload URL redirects (%d) to %s; use that URL as the destination.", code, loc))
		} else {
			set(fault.Permanent, fault.CodeRedirect, fmt.Sprintf("The server moved the upload (%d) to %s, which Ferry does not follow for a %s.", code, loc, strings.ToUpper(op)))
		}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		set(fault.Permanent, fault.CodeAuth, fmt.Sprintf("The server refused the credentials (%d). Check the Authorization header or token.", code))
	case code == http.StatusRequestEntityTooLarge:
		set(fault.Permanent, fault.CodeTooLarge, "The server refused the file as too large (413). Check the server's maximum upload size.")
	case code == http.StatusConflict && op == "create":
		// A named creation (CreateNamed) the receiver already has.
		set(fault.Conflict, fault.CodeConflict, "The receiver already has this upload (409); asking it how much it holds")
	case code == http.StatusConflict:
		set(fault.Conflict, fault.CodeConflict, "The server's upload offset differs from ours (409)")
	case (code == http.StatusNotFound || code == http.StatusGone) && op != "create":
		set(fault.Gone, fault.CodeGone, fmt.Sprintf("The server no longer has the upload (%d)", code))
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed || code == http.StatusNotImplemented:
		set(fault.Permanent, fault.CodeNotTus, fmt.Sprintf("%s has no tus upload endpoint (%d to the creation request). Check the upload URL.", target, code))
	case code == http.StatusPreconditionFailed:
		set(fault.Permanent, fault.CodeNotTus, fmt.Sprintf("%s does not speak tus 1.0.0 (412). Check the upload URL.", target))
	case code == http.StatusLocked:
		set(fault.Transient, fault.CodeServer, "The server is still busy with the previous request (423)")
	case code == http.StatusTooManyRequests:
		set(fault.Transient, fault.CodeServer, "The server asked us to slow down (429)")
	case code == http.StatusRequestTimeout:
		set(fault.Transient, fault.CodeServer, "The server timed out waiting for data (408)")
	case code >= 500:
		set(fault.Transient, fault.CodeServer, fmt.Sprintf("The server had a problem (%d %s)", code, http.StatusText(code)))
	case code == http.StatusBadRequest:
		hint := bodyHint(res)
		switch {
		case strings.Contains(hint, "ERR_UPLOAD_INTERRUPTED"):
			// tusd: a newer request for the same upload took it over.
			set(fault.Transient, fault.CodeServer, "The server interrupted the request for a newer one (400)")
		case op == "create":
			set(fault.Permanent, fault.CodeBadRequest, fmt.Sprintf("The server rejected the upload request (400)%s. Check the headers and metadata.", hint))
		default:
			set(fault.Permanent, fault.CodeBadRequest, fmt.Sprintf("The server rejected the %s request (400)%s.", strings.ToUpper(op), hint))
		}
	default:
		set(fault.Permanent, fault.CodeBadRequest, fmt.Sprintf("The server answered %d %s to the %s request%s.", code, http.StatusText(code), op, bodyHint(res)))
	}
	e.RetryAfter = retryAfter(res.Header.Get("Retry-After"))
	return e
}

// resolve makes a Location absolute against the URL that sent it.
func resolve(res *http.Response, loc string) string {
	ref, err := url.Parse(loc)
	if err != nil || res.Request == nil || res.Request.URL == nil {
		return loc
	}
	return res.Request.URL.ResolveReference(ref).String()
}

// notTus explains an answer that is well-formed HTTP but not tus.
func notTus(target, what string) *fault.Error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeNotTus, Msg: fmt.Sprintf("%s does not look like a tus server (%s). Check the upload URL.", target, what)}
}

func bodyHint(res *http.Response) string {
	if res.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	s := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	return ": " + s
}

// retryAfter reads Retry-After in seconds or as a date, capped.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || s >= uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxRetryAfter)
}
