package transfer

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// origin is scheme://host:port with the default port spelled out, so
// "https://h" and "https://H:443/x" are one origin.
func origin(u *url.URL) string {
	if u == nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return origin(u)
}

// isTusHeader: the headers any tus server may see, whoever it is.
func isTusHeader(k string) bool {
	k = http.CanonicalHeaderKey(k)
	return k == "Tus-Resumable" || k == "Content-Type" || k == "Content-Length" || strings.HasPrefix(k, "Upload-")
}

// addHeaders sets a destination's headers on a request to u, but only
// if u is on the destination's own origin (endpoint's): an upload URL
// elsewhere (a one-time URL from a backend) must not receive the
// backend's token.
func addHeaders(h, from http.Header, endpoint string, u *url.URL) {
	if len(from) == 0 || origin(u) != originOf(endpoint) {
		return
	}
	for k, v := range from {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
}

// addUserinfo sends the endpoint's user-info (basic auth) with a request
// to its own origin whose URL has none: an upload URL made from a
// relative Location is recorded without the secret.
func addUserinfo(req *http.Request, endpoint string) {
	if req.URL.User != nil || req.Header.Get("Authorization") != "" {
		return
	}
	e, err := url.Parse(endpoint)
	if err != nil || e.User == nil || origin(e) != origin(req.URL) {
		return
	}
	pw, _ := e.User.Password()
	req.SetBasicAuth(e.User.Username(), pw)
}

// redirectPolicy follows 307/308 (method and body kept, net/http re-reads
// the body through GetBody) and, for GET and HEAD only, 301/302/303; a
// POST, PATCH or DELETE would silently turn into a GET. A redirect to
// another origin carries the tus headers only.
func (c *Client) redirectPolicy(t Target) func(*http.Request, []*http.Request) error {
	home := originOf(t.Endpoint)
	return func(req *http.Request, via []*http.Request) error {
		prev := via[len(via)-1]
		c.noteAnswered(prev.URL)
		if len(via) >= maxRedirects || slices.ContainsFunc(via, func(r *http.Request) bool { return r.URL.String() == req.URL.String() }) {
			return &redirectLoop{host: HostOf(prev.URL.String()), hops: len(via)}
		}
		code := 0
		if req.Response != nil {
			code = req.Response.StatusCode
		}
		if code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect &&
			prev.Method != http.MethodGet && prev.Method != http.MethodHead {
			return http.ErrUseLastResponse
		}
		if origin(req.URL) != home {
			for k := range req.Header {
				if !isTusHeader(k) {
					delete(req.Header, k)
				}
			}
		}
		return nil
	}
}

// maxRedirects is how many redirects one request follows.
const maxRedirects = 10

// redirectLoop stops a request that is redirected back where it was, or
// too many times: trying it again would loop again.
type redirectLoop struct {
	host string
	hops int
}

func (e *redirectLoop) Error() string {
	return fmt.Sprintf("%s: redirect loop after %d redirects", e.host, e.hops)
}

// noteAnswered records that an origin gave an HTTP answer in this process:
// from then on, errors that would mean a wrong URL mean a bad link.
func (c *Client) noteAnswered(u *url.URL) {
	if o := origin(u); o != "" {
		c.answered.Store(o, true)
	}
}

func (c *Client) hasAnswered(target string) bool {
	_, ok := c.answered.Load(originOf(target))
	return ok
}

// headerError is a destination header that HTTP cannot carry.
type headerError struct{ name string }

func (e *headerError) Error() string {
	return fmt.Sprintf("header %q has a line break or control character", e.name)
}

// checkHeaders refuses header names and values net/http would refuse: a
// CR or LF in a pasted token is a setting to fix, not a network error to
// retry.
func checkHeaders(h http.Header) error {
	for k, vv := range h {
		if !httpguts.ValidHeaderFieldName(k) {
			return &headerError{k}
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return &headerError{k}
			}
		}
	}
	return nil
}
