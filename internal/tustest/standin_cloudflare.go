package tustest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cloudflare stands in for Cloudflare Stream's API.
//
// On Base (through srv's fault layer):
//
//   - POST /accounts/{Account}/stream (also ?direct_user=true) with
//     "Authorization: Bearer {Token}" (scheme in any case), Tus-Resumable,
//     Upload-Length and Upload-Metadata creates an upload at srv's tusd and
//     answers 201 with Location on the upload host (another origin) and
//     stream-media-id. A wrong or missing token is 401 with Cloudflare's
//     JSON error (code 10000), another account 404 (code 7003), a missing
//     Tus-Resumable (a basic multipart upload, which this stand-in does not
//     do) or Upload-Length 400.
//   - GET /accounts/{Account}/stream lists the videos (what `ferry dest
//     test` asks, with the token, of the account), GET /user/tokens/verify
//     checks the token: 200 with result.status ("active", or what
//     SetTokenStatus says), a wrong or missing token 401 with code 1000
//     "Invalid API Token". A token that is not active is refused
//     everywhere else as a wrong one is.
//
// The upload host forwards HEAD, PATCH, DELETE and OPTIONS to tusd, adds
// stream-media-id, counts requests that carry Authorization (LeakedAuth)
// and enforces Stream's chunk rules on PATCH (Violations).
//
// Expiry: URLs issued after ExpireAfter(d) stop working d after issue, and
// an `expiry` key in Upload-Metadata (RFC 3339, as Stream takes it) ends a
// URL at that time if sooner. HEAD, PATCH and DELETE on an expired URL are
// answered 410 Gone with Tus-Resumable and the text body "upload expired"
// (no body for HEAD); OPTIONS still works. Cloudflare does not document
// its answer; 410 is what the tus spec asks of a server that tracks
// expired uploads, and SetExpiredStatus(404) gives the other answer the
// spec allows. The bytes stay in tusd (srv.Uploads shows them).
type Cloudflare struct {
	Base    string // API base, as FERRY_CLOUDFLARE_API: Ferry POSTs to Base+"/accounts/"+Account+"/stream"
	Account string // 32 hexadecimal characters, as Cloudflare's (CloudflareAccount); the stand-in takes any
	Token   string

	p         *plumbing
	host      *uploadHost
	apiDirect string // Base without the fault layer (for Backend)

	mu          sync.Mutex
	tokenStatus string // "" is active
	expireAfter time.Duration
	issued      int
	media       []string
}

// cloudflareAPIPath is where Base lives on the API host, as on
// api.cloudflare.com.
const cloudflareAPIPath = "/client/v4"

// CloudflareAccount is an account id as Cloudflare's are (32 hexadecimal
// characters; this one is from Cloudflare's API docs), for tests whose
// destinations Ferry must accept.
const CloudflareAccount = "023e105f4ecef8ad9ca31a8372d0c353"

// SetTokenStatus sets what the token verification says of the token
// ("active", "disabled" or "expired", as Cloudflare's API schema has it).
// A token that is not active is refused by the other endpoints.
func (c *Cloudflare) SetTokenStatus(status string) {
	c.mu.Lock()
	c.tokenStatus = status
	c.mu.Unlock()
}

func (c *Cloudflare) status() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokenStatus == "" {
		return "active"
	}
	return c.tokenStatus
}

// NewCloudflare starts a Cloudflare Stream stand-in for account with
// token in front of srv. It is stopped by t.Cleanup.
func NewCloudflare(t TB, srv *Server, account, token string) *Cloudflare {
	t.Helper()
	c := &Cloudflare{Account: account, Token: token, p: newPlumbing(t, srv)}
	c.host = newUploadHost(c.p, "/tus/", "?tusv2=true")
	c.host.rules = true
	c.host.mediaHdr = true
	front, direct := c.p.serve(http.HandlerFunc(c.api))
	c.Base = front + cloudflareAPIPath
	c.apiDirect = direct + cloudflareAPIPath
	return c
}

// Violations lists the PATCHes that broke Stream's chunk rules (each
// answered 400), in order.
func (c *Cloudflare) Violations() []string { return c.host.violations() }

// LeakedAuth is how many requests to the upload host carried an
// Authorization header.
func (c *Cloudflare) LeakedAuth() int { return c.host.leaked() }

// ExpireAfter makes upload URLs issued from now on stop working d after
// they were issued (d <= 0: they do not expire).
func (c *Cloudflare) ExpireAfter(d time.Duration) {
	c.mu.Lock()
	c.expireAfter = d
	c.mu.Unlock()
}

// SetExpiredStatus sets the status of answers on expired URLs (default
// 410 Gone; 404 is the other choice the tus spec allows).
func (c *Cloudflare) SetExpiredStatus(code int) {
	c.host.mu.Lock()
	c.host.expired = code
	c.host.mu.Unlock()
}

// AnnounceExpiry makes the upload host send Upload-Expires (tus's
// expiration extension) on HEAD and PATCH answers for URLs that expire.
// Off by default: Stream is not known to send it.
func (c *Cloudflare) AnnounceExpiry(on bool) {
	c.host.mu.Lock()
	c.host.announce = on
	c.host.mu.Unlock()
}

// URLsIssued is how many uploads the API created (201 answers).
func (c *Cloudflare) URLsIssued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.issued
}

// MediaIDs are the stream-media-id of every upload created, in order.
func (c *Cloudflare) MediaIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.media...)
}

// Requests is the API host's and the upload host's request log, "METHOD
// path?query status" ("cut" for a request dropped without an answer).
func (c *Cloudflare) Requests() []string { return c.p.requests() }

type cfError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func cfFail(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, "", map[string]any{
		"success":  false,
		"errors":   []cfError{{code, msg}},
		"messages": []any{},
		"result":   nil,
	})
}

func (c *Cloudflare) api(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, cloudflareAPIPath)
	if !ok {
		cfFail(w, http.StatusNotFound, 7000, "No route for that URI")
		return
	}
	tok, ok := bearer(r)
	known := ok && tok == c.Token
	if rest == "/user/tokens/verify" && r.Method == http.MethodGet {
		if !known {
			cfFail(w, http.StatusUnauthorized, 1000, "Invalid API Token")
			return
		}
		writeJSON(w, http.StatusOK, "", map[string]any{
			"success": true, "errors": []any{}, "messages": []any{},
			"result": map[string]string{"id": "standin", "status": c.status()},
		})
		return
	}
	authorized := func() bool {
		if !known || c.status() != "active" {
			cfFail(w, http.StatusUnauthorized, 10000, "Authentication error")
			return false
		}
		return true
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) != 3 || parts[0] != "accounts" || parts[2] != "stream" {
		cfFail(w, http.StatusNotFound, 7000, "No route for that URI")
		return
	}
	if !authorized() {
		return
	}
	if parts[1] != c.Account {
		cfFail(w, http.StatusNotFound, 7003, "Could not route to "+r.URL.Path+", perhaps your object identifier is invalid?")
		return
	}
	switch r.Method {
	case http.MethodPost:
		c.create(w, r)
	case http.MethodGet:
		c.mu.Lock()
		list := make([]map[string]any, 0, len(c.media))
		for _, id := range c.media {
			list = append(list, map[string]any{"uid": id, "readyToStream": false})
		}
		c.mu.Unlock()
		writeJSON(w, http.StatusOK, "", map[string]any{
			"success": true, "errors": []any{}, "messages": []any{},
			"result": list, "total": strconv.Itoa(len(list)), "range": len(list),
		})
	case http.MethodOptions:
		h := w.Header()
		h.Set("Tus-Resumable", "1.0.0")
		h.Set("Tus-Version", "1.0.0")
		h.Set("Tus-Extension", "creation")
		h.Set("Tus-Max-Size", strconv.FormatInt(30<<30, 10))
		w.WriteHeader(http.StatusNoContent)
	default:
		cfFail(w, http.StatusMethodNotAllowed, 10405, "Method not allowed")
	}
}

func (c *Cloudflare) create(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20)) // Stream takes no data with the creation
	if r.Header.Get("Tus-Resumable") == "" {
		cfFail(w, http.StatusBadRequest, 10005, "This stand-in only takes tus uploads: send Tus-Resumable: 1.0.0")
		return
	}
	size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil || size < 0 {
		cfFail(w, http.StatusBadRequest, 10005, "Upload-Length header is required (a whole number of bytes)")
		return
	}
	meta := r.Header.Get("Upload-Metadata")
	id, failed, err := c.p.createAtTusd(w, r, size, meta)
	if err != nil {
		upstreamFailed(w, err)
		return
	}
	if failed != nil {
		defer failed.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(failed.Body, 4<<10))
		cfFail(w, failed.StatusCode, 10000+failed.StatusCode, strings.TrimSpace(string(b)))
		return
	}

	now := time.Now()
	u := &hosted{key: randomHex(16), tusID: id, mediaID: randomHex(16), size: size, issued: now}
	c.mu.Lock()
	if c.expireAfter > 0 {
		u.expires = now.Add(c.expireAfter)
	}
	c.mu.Unlock()
	if s := parseMetadata(meta)["expiry"]; s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil && (u.expires.IsZero() || t.Before(u.expires)) {
			u.expires = t
		}
	}
	loc := c.host.add(u)
	c.mu.Lock()
	c.issued++
	c.media = append(c.media, u.mediaID)
	c.mu.Unlock()

	h := w.Header()
	h.Set("Tus-Resumable", "1.0.0")
	h.Set("Location", loc)
	h["stream-media-id"] = []string{u.mediaID}
	h.Set("Access-Control-Expose-Headers", "Location, stream-media-id")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}
