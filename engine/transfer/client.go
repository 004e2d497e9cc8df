// Package transfer speaks tus 1.0 for one upload at a time.
//
// go-tus supplies the client (headers, Tus-Resumable, metadata encoding);
// the requests themselves are built here so that every one runs under a
// context, streams its body from the file, passes the shared rate limiter
// and is abandoned when the link stalls. go-tus's Uploader buffers whole
// chunks, cannot be interrupted and stops at the first error.
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
	"time"

	tus "github.com/eventials/go-tus"
	"golang.org/x/time/rate"
)

// Target is where an upload goes and how.
type Target struct {
	Endpoint  string // the creation URL
	Header    http.Header
	Metadata  map[string]string
	ChunkSize int64 // 0: one PATCH for the remainder; N: PATCHes of at most N bytes
}

// Client sends tus requests. It is safe for concurrent use.
type Client struct {
	HTTP    *http.Client
	Limiter *rate.Limiter // shared by every upload; nil means unlimited
	// StallTimeout abandons a request that moved no bytes for this long.
	StallTimeout time.Duration
}

// NewClient returns a Client with a transport suited to long uploads.
func NewClient(limiter *rate.Limiter, stall time.Duration) *Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 15 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer(d),
		TLSHandshakeTimeout:   10 * time.Second,
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

func (c *Client) tus(t Target) (*tus.Client, error) {
	h := make(http.Header, len(t.Header))
	for k, v := range t.Header {
		h[k] = v
	}
	return tus.NewClient(t.Endpoint, &tus.Config{ChunkSize: 1, Header: h, HttpClient: c.HTTP})
}

// do runs a small request (no body) with the stall timeout as its limit.
func (c *Client) do(ctx context.Context, t Target, method, target string, hdr http.Header) (*http.Response, context.CancelFunc, error) {
	tc, err := c.tus(t)
	if err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, c.stall())
	req, err := http.NewRequestWithContext(rctx, method, target, nil)
	if err != nil {
		cancel()
		return nil, nil, &Error{Kind: Permanent, Msg: fmt.Sprintf("%q is not a valid URL.", target), Err: err}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := tc.Do(req)
	if err != nil {
		cancel()
		return nil, nil, netError(ctx, rctx, target, err, c.stall())
	}
	return res, cancel, nil
}

func (c *Client) stall() time.Duration {
	if c.StallTimeout > 0 {
		return c.StallTimeout
	}
	return 15 * time.Second
}

// Created is the server's answer to a creation request.
type Created struct {
	URL     string
	MediaID string // Stream-Media-ID, where the server sends one
}

// Create asks the server for a new upload of size bytes.
func (c *Client) Create(ctx context.Context, t Target, size int64) (Created, error) {
	hdr := http.Header{}
	hdr.Set("Upload-Length", strconv.FormatInt(size, 10))
	if m := encodeMetadata(t.Metadata); m != "" {
		hdr.Set("Upload-Metadata", m)
	}
	res, cancel, err := c.do(ctx, t, http.MethodPost, t.Endpoint, hdr)
	if err != nil {
		return Created{}, err
	}
	defer cancel()
	defer drain(res)
	if res.StatusCode != http.StatusCreated {
		if res.StatusCode/100 == 2 {
			return Created{}, notTus(t.Endpoint, fmt.Sprintf("HTTP %d to the creation request, not 201", res.StatusCode))
		}
		return Created{}, statusError("create", t.Endpoint, res)
	}
	loc := res.Header.Get("Location")
	if loc == "" {
		return Created{}, notTus(t.Endpoint, "no Location in the answer to the creation request")
	}
	base, err := url.Parse(t.Endpoint)
	if err != nil {
		return Created{}, &Error{Kind: Permanent, Msg: fmt.Sprintf("%q is not a valid URL.", t.Endpoint), Err: err}
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return Created{}, notTus(t.Endpoint, fmt.Sprintf("unreadable Location %q", loc))
	}
	return Created{URL: base.ResolveReference(ref).String(), MediaID: res.Header.Get("Stream-Media-ID")}, nil
}

// Offset asks the server how many bytes of the upload it has (HEAD).
func (c *Client) Offset(ctx context.Context, t Target, upload string) (offset, length int64, err error) {
	res, cancel, err := c.do(ctx, t, http.MethodHead, upload, nil)
	if err != nil {
		return 0, 0, err
	}
	defer cancel()
	defer drain(res)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
		return 0, 0, statusError("head", upload, res)
	}
	offset, err = strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		return 0, 0, notTus(upload, "no Upload-Offset in the answer to HEAD")
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
	res, cancel, err := c.do(ctx, t, http.MethodDelete, upload, nil)
	if err != nil {
		return err
	}
	defer cancel()
	defer drain(res)
	switch {
	case res.StatusCode/100 == 2, res.StatusCode == 404, res.StatusCode == 405, res.StatusCode == 410:
		return nil
	}
	return statusError("terminate", upload, res)
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

func drain(res *http.Response) {
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
}
