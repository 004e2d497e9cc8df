package dest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ferry-app/ferry/fault"
)

// savedFor names where a destination's secrets are kept, for a sentence:
// " saved for studio", or "" for a URL given for one run.
func savedFor(d Destination) string {
	if d.Name == "" {
		return ""
	}
	return " saved for " + d.Name
}

// Refused is the sentence for a destination's credentials refused (401
// or 403) by the API or server they went to, in the provider's own words.
// cause is kept for logs, never formatted in.
func Refused(d Destination, status int, cause error) *fault.Error {
	msg := fmt.Sprintf("The server refused the credentials (%d). Check the Authorization header%s, or the token in it.", status, savedFor(d))
	if p := d.Provider(); p.Refused != nil {
		msg = p.Refused(d, status)
	}
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeAuth, Status: status, Msg: msg, Err: cause}
}

// who is the provider in a sentence.
func (d Destination) who() string {
	if w := d.Provider().Who; w != "" {
		return w
	}
	return "the server"
}

// handedOutRefused is the sentence for an upload URL on another origin
// than the destination's (Vimeo's upload_link, a one-time Stream URL, a
// tus server's Location elsewhere) refused with 401 or 403: it got no
// credentials from Ferry, so no token is to blame; a new upload gets a
// new URL.
func handedOutRefused(d Destination, status int, cause error) *fault.Error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeAuth, Status: status, Err: cause,
		Msg: fmt.Sprintf("The upload URL %s handed out was refused (%d); Ferry sends no credentials there. Cancel the file and retry it to get a new URL.", d.who(), status)}
}

// InWords puts an attempt's error in the destination's own words where
// the transfer package, which knows no providers, could not: credentials
// refused (which secret to check, or none for an upload URL on another
// origin, which gets none), and what the provider reads in an answer to
// its creation request. upload is the URL the failed request went to (""
// for the creation request).
func InWords(d Destination, upload string, err error) error {
	te, ok := err.(*fault.Error)
	if !ok || te.Status == 0 {
		return err
	}
	p := d.Provider()
	switch {
	case te.Code == fault.CodeAuth && upload != "" && !sameOrigin(upload, d.Endpoint()):
		return handedOutRefused(d, te.Status, te.Err)
	case te.Code == fault.CodeAuth && (d.Name != "" || p.Refused != nil):
		return Refused(d, te.Status, te.Err)
	case upload == "" && p.InWords != nil:
		return p.InWords(d, te)
	}
	return err
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

// statusText is "404 Not Found".
func statusText(status int) string {
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}
