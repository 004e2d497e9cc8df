// Package transfer speaks tus 1.0 for one upload at a time.
//
// The requests are built here, on net/http, so that every one runs under
// a context, streams its body from the file, passes the shared rate
// limiter, is abandoned when the link stalls, and carries a destination's
// headers only to that destination's origin. go-tus's Uploader buffers
// whole chunks, cannot be interrupted and stops at the first error.
package transfer

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/fault"
)

const tusVersion = "1.0.0"

// Target is where an upload goes and how.
type Target struct {
	Endpoint string      // the creation URL
	Header   http.Header // sent only to Endpoint's origin (scheme, host, port)
	// CreateHeader goes with the creation request only (to Endpoint's
	// origin): a provider's API token, which an upload URL it hands out
	// never needs, even on the API's own origin.
	CreateHeader http.Header
	Metadata     map[string]string
	ChunkSize    int64 // 0: one PATCH for the remainder; N: every PATCH but the last is N bytes
}

// Client sends tus requests. It is safe for concurrent use.
type Client struct {
	HTTP    *http.Client
	Limiter *rate.Limiter // shared by every upload; nil means unlimited
	// StallTimeout abandons a request that moved no bytes for this long.
	StallTimeout time.Duration
	// ResponseTimeout bounds the wait for an answer once the server has
	// acknowledged the whole body (S3 assembly, hooks, buffering proxies);
	// default 2 minutes.
	ResponseTimeout time.Duration
	// GiveUp is how long an origin that has not answered once in this
	// process may refuse or ignore connections before its errors become
	// permanent (a server that is down, not a link that dropped); default
	// 1 minute.
	GiveUp time.Duration

	answered   sync.Map // origin → true once it gave any HTTP answer
	unanswered sync.Map // origin → time.Time of its first failure while never answered
	createMu   sync.Mutex
	created    map[string]creations // origin → the wait its creations earned, and lost answers in a row
	named      sync.Map             // endpoint → *probe: does it take client-named uploads
}

// NewClient returns a Client with a transport suited to long uploads.
func NewClient(limiter *rate.Limiter, stall time.Duration) *Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 15 * time.Second}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer(d),
		TLSHandshakeTimeout: 10 * time.Second,
		// Many small files go to one host at a few at a time: keep their
		// connections instead of dialling one per file.
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       60 * time.Second,
		ExpectContinueTimeout: time.Second,
		WriteBufferSize:       256 << 10,
		ReadBufferSize:        64 << 10,
		// HTTP/1.1 only: one connection per upload, so a stalled or
		// paused upload is cut alone and its bytes can be counted.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	return &Client{HTTP: &http.Client{Transport: tr}, Limiter: limiter, StallTimeout: stall}
}

func (c *Client) stall() time.Duration {
	if c.StallTimeout > 0 {
		return c.StallTimeout
	}
	return 15 * time.Second
}

func (c *Client) responseTimeout() time.Duration {
	if c.ResponseTimeout > 0 {
		return c.ResponseTimeout
	}
	return 2 * time.Minute
}

// newRequest builds a tus request to target. The destination's headers
// are checked here, so a pasted token with a line break fails at once.
func newRequest(ctx context.Context, t Target, r request, body io.Reader) (*http.Request, error) {
	for _, h := range []http.Header{t.Header, t.CreateHeader} {
		if err := checkHeaders(h); err != nil {
			return nil, classify(err, HostOf(r.target), r.target, false)
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.target, body)
	if err != nil {
		return nil, badURL(r.target, err)
	}
	addUserinfo(req, t.Endpoint)
	addHeaders(req.Header, t.Header, t.Endpoint, req.URL)
	if r.create {
		addHeaders(req.Header, t.CreateHeader, t.Endpoint, req.URL)
	}
	hdr := r.hdr
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Tus-Resumable", tusVersion)
	return req, nil
}

// send runs req under the redirect policy and notes an answering origin.
func (c *Client) send(t Target, req *http.Request) (*http.Response, error) {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP // a copy: the policy depends on the destination
	}
	hc.CheckRedirect = c.redirectPolicy(t)
	res, err := hc.Do(req)
	if err == nil {
		c.noteAnswered(res.Request.URL)
	}
	return res, err
}

// Created is the server's answer to a creation request.
type Created struct {
	URL     string
	MediaID string // Stream-Media-ID, where the server sends one
	Link    string // where people see the result, where the provider says (Vimeo)
	// Expires is when the server will forget the upload (tus expiration:
	// Upload-Expires), zero when it does not say.
	Expires time.Time
}

func creationHeader(t Target, size int64) http.Header {
	hdr := http.Header{}
	hdr.Set("Upload-Length", strconv.FormatInt(size, 10))
	if m := encodeMetadata(t.Metadata); m != "" {
		hdr.Set("Upload-Metadata", m)
	}
	return hdr
}

// maxLocation bounds an upload URL a server hands out: it is recorded
// and shown, and no tus server needs more (a destination's URL has the
// same bound).
const maxLocation = 8 << 10

// Create asks the server for a new upload of size bytes.
func (c *Client) Create(ctx context.Context, t Target, size int64) (Created, error) {
	res, err := c.stream(ctx, t, c.creation(t, creationHeader(t, size)), nopProgress{})
	if err != nil {
		return Created{}, c.lostCreation(t, err)
	}
	defer res.release()
	c.creationAnswered(t)
	return created(t, res.Response)
}

// created reads the answer to a creation request. Any 2xx with a Location
// is an upload, as tus-js-client accepts: a backend that asks its storage
// for a one-time URL typically answers 200 with no tus headers at all.
func created(t Target, res *http.Response) (Created, error) {
	if res.StatusCode/100 != 2 {
		return Created{}, statusError("create", t.Endpoint, res)
	}
	loc := res.Header.Get("Location")
	if loc == "" {
		return Created{}, notTus(t.Endpoint, "no Location in the answer to the creation request")
	}
	if len(loc) > maxLocation {
		return Created{}, notTus(t.Endpoint, fmt.Sprintf("a Location of %d bytes in the answer to the creation request, where an upload URL is at most %d; the server may keep the upload it made", len(loc), maxLocation))
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return Created{}, notTus(t.Endpoint, "unreadable Location "+strconv.Quote(loc))
	}
	u := res.Request.URL.ResolveReference(ref)
	if ref.User == nil {
		// The endpoint's user-info is a destination secret: the upload's
		// URL, which is recorded, does without it (addUserinfo sends it).
		u.User = nil
	}
	cr := Created{URL: u.String(), MediaID: res.Header.Get("Stream-Media-ID")}
	if v := res.Header.Get("Upload-Expires"); v != "" {
		cr.Expires, _ = http.ParseTime(v)
	}
	return cr, nil
}

// CreateWithData creates an upload and sends the file's first bytes in
// the same request (tus creation-with-upload). The engine uses it only
// with CreateNamed: otherwise the upload would exist before it could be
// recorded, so a crash in that instant would upload the file twice. It
// sends the whole file if it fits in one chunk, so a small file costs one
// request. offset is what the server accepted; a server that ignored the
// body answers without Upload-Offset, offset is 0, and the caller sends
// the rest with Send. guard is as for Send, asked only if the request
// carries the final byte.
func (c *Client) CreateWithData(ctx context.Context, t Target, size int64, path string, p Progress, guard func() error) (cr Created, offset int64, err error) {
	return c.createWithData(ctx, t, size, path, p, guard, nil)
}

func (c *Client) createWithData(ctx context.Context, t Target, size int64, path string, p Progress, guard func() error, extra http.Header) (cr Created, offset int64, err error) {
	n := size
	if t.ChunkSize > 0 {
		n = min(n, t.ChunkSize)
	}
	if n < size {
		guard = nil
	}
	hdr := creationHeader(t, size)
	hdr.Set("Content-Type", "application/offset+octet-stream")
	maps.Copy(hdr, extra)
	r := c.creation(t, hdr)
	r.path, r.n, r.guard = path, n, guard
	res, err := c.stream(ctx, t, r, p)
	if err != nil && extra.Get(IDHeader) != "" {
		// A named creation leaves no upload that cannot be found again:
		// the next try asks its URL. Lost answers are no reason to stop.
		return Created{}, 0, err
	}
	if err != nil {
		return Created{}, 0, c.lostCreation(t, err)
	}
	defer res.release()
	c.creationAnswered(t)
	if cr, err = created(t, res.Response); err != nil {
		return Created{}, 0, err
	}
	if v := res.Header.Get("Upload-Offset"); v != "" {
		offset, err = strconv.ParseInt(v, 10, 64)
		if err != nil || offset < 0 || offset > n {
			return cr, 0, &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict, Msg: "The server reported an unexpected offset (" + v + ") after creating the upload"}
		}
		if err := res.beyondOffered(offset); err != nil {
			return cr, 0, err
		}
		p.Accepted(offset, cr.MediaID)
	}
	return cr, offset, nil
}

// Offset asks the server how many bytes of the upload it has (HEAD).
func (c *Client) Offset(ctx context.Context, t Target, upload string) (offset, length int64, err error) {
	res, err := c.stream(ctx, t, request{method: http.MethodHead, target: upload}, nopProgress{})
	if err != nil {
		return 0, 0, err
	}
	defer res.release()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
		return 0, 0, statusError("head", upload, res.Response)
	}
	offset, err = parseOffset(res.Header, "HEAD")
	if err != nil {
		return 0, 0, notTus(upload, err.Error())
	}
	length = -1
	if v := res.Header.Get("Upload-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			length = n
		}
	}
	return offset, length, nil
}

// Terminate deletes the upload on the server (tus termination). Servers
// without the extension answer 404/405, which is not an error here.
func (c *Client) Terminate(ctx context.Context, t Target, upload string) error {
	res, err := c.stream(ctx, t, request{method: http.MethodDelete, target: upload}, nopProgress{})
	if err != nil {
		return err
	}
	defer res.release()
	switch {
	case res.StatusCode/100 == 2, res.StatusCode == 404, res.StatusCode == 405, res.StatusCode == 410:
		return nil
	}
	return statusError("terminate", upload, res.Response)
}

// encodeMetadata writes Upload-Metadata: "key base64(value)" pairs, and a
// bare key for an empty value (Cloudflare's requiresignedurls), which
// go-tus cannot express. Keys are sorted so requests are reproducible.
func encodeMetadata(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] == "" {
			parts = append(parts, k)
		} else {
			parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(m[k])))
		}
	}
	return strings.Join(parts, ",")
}

// drain reads what is left of a small answer so its connection can be
// kept alive for the next request.
func drain(res *http.Response) {
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
}
