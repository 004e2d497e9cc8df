package tustest

// Stand-ins for the providers Ferry uploads to (Cloudflare Stream, Vimeo,
// the article's backend), each a small HTTP server of its own in front of
// the real tusd of a Server. Layout, for Cloudflare:
//
//	client ──► Base:        TCP faults ──► API host    ──► HTTP faults ──► tusd (creation)
//	client ──► upload link: TCP faults ──► upload host ──► HTTP faults ──► tusd (HEAD/PATCH/DELETE)
//
// The TCP faults are the Server's own (SetFaults reaches them), on the
// client's link to each stand-in host, so a cut is seen by the client as a
// reset of its own connection, as on a real link. Behind the stand-ins the
// requests go to the Server's faulty HTTP listener directly (its HTTP
// faults and WithMiddleware apply; its TCP proxy does not, so a request is
// never cut twice). If the Server was made WithAuth, the stand-ins send
// its token to tusd themselves, like a provider talking to its own storage.

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// plumbing is what every stand-in shares: its listeners (each behind a
// TCP fault proxy), a fresh connection to tusd per forwarded request, a
// request log, and a Close that leaves no goroutines behind.
type plumbing struct {
	t   TB
	srv *Server

	mu      sync.Mutex
	running int  // handlers in flight
	closed  bool // no new handlers, no new upstream connections
	servers []*http.Server
	proxies []*proxy
	upconns map[net.Conn]struct{}
	reqs    []string

	serving sync.WaitGroup
}

func newPlumbing(t TB, srv *Server) *plumbing {
	p := &plumbing{t: t, srv: srv, upconns: map[net.Conn]struct{}{}}
	// Registered after srv's Cleanup, so it runs before srv.Close.
	t.Cleanup(p.close)
	return p
}

// serve starts h on a loopback listener and puts a TCP fault proxy (sharing
// srv's faults) in front of it. front is the address clients use; direct
// skips the faults (for server-to-server calls).
func (p *plumbing) serve(h http.Handler) (front, direct string) {
	ln := listen(p.t)
	hs := newHTTPServer(p.track(h))
	px := newProxy(listen(p.t), &p.srv.faults, ln.Addr().String())
	p.mu.Lock()
	p.servers = append(p.servers, hs)
	p.proxies = append(p.proxies, px)
	p.mu.Unlock()
	p.serving.Add(1)
	go func() {
		defer p.serving.Done()
		hs.Serve(ln)
	}()
	return "http://" + px.ln.Addr().String(), "http://" + ln.Addr().String()
}

// track counts running handlers (so close can wait for them) and logs
// every request as "METHOD path status".
func (p *plumbing) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		p.running++
		p.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		aborted := true
		defer func() {
			status := strconv.Itoa(cmp.Or(sw.code, http.StatusOK))
			if aborted {
				status = "cut" // connection dropped without an answer
			}
			p.mu.Lock()
			p.running--
			p.reqs = append(p.reqs, effectiveMethod(r)+" "+r.URL.RequestURI()+" "+status)
			p.mu.Unlock()
		}()
		h.ServeHTTP(sw, r)
		aborted = false
	})
}

func (p *plumbing) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.reqs...)
}

func (p *plumbing) close() {
	p.mu.Lock()
	p.closed = true
	proxies, servers := p.proxies, p.servers
	p.mu.Unlock()
	for _, px := range proxies {
		px.close()
	}
	for _, hs := range servers {
		hs.Close()
	}
	p.serving.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		for c := range p.upconns {
			c.Close()
		}
		n := p.running
		p.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Logf("tustest: stand-in handlers still running 10s after Close")
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// errCut is returned by roundTrip when the client's request body failed
// (its connection was cut): the handler then drops the client connection.
var errCut = errors.New("tustest: client request body cut")

// roundTrip sends one request to tusd (the Server's faulty HTTP listener)
// on a fresh connection and returns its answer, whose Body must be closed.
// body is sent with length bytes (-1: chunked). If reading body fails,
// tusd is given the end of the stream and time to store what it got
// before roundTrip returns errCut, so the client's next request sees a
// settled offset (as with the Server's own cuts). w and r are the client's,
// used to stop reading r's body when tusd answers early.
func (p *plumbing) roundTrip(w http.ResponseWriter, r *http.Request, method, path string, hdr http.Header, body io.Reader, length int64) (*http.Response, error) {
	target := p.srv.proxy.target
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, errors.New("tustest: stand-in closed")
	}
	conn, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.upconns[conn] = struct{}{}
	p.mu.Unlock()
	drop := func() {
		conn.Close()
		p.mu.Lock()
		delete(p.upconns, conn)
		p.mu.Unlock()
	}

	if p.srv.token != "" {
		hdr.Set("Authorization", "Bearer "+p.srv.token)
	}
	out := &http.Request{
		Method:        method,
		URL:           &url.URL{Scheme: "http", Host: target, Path: path},
		Host:          target,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        hdr,
		ContentLength: length,
		Close:         true,
	}
	if body != nil && length != 0 {
		out.Body = io.NopCloser(body)
	} else {
		out.ContentLength = 0
	}

	wrote := make(chan error, 1)
	go func() { wrote <- out.Write(conn) }()
	type answer struct {
		resp *http.Response
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), out)
		got <- answer{resp, err}
	}()

	var a answer
	select {
	case werr := <-wrote:
		cut := werr != nil && (r.Context().Err() != nil || isClientBodyErr(werr))
		if cut {
			// The client's body failed: let tusd read to the end of what
			// it was sent and finish, then give up.
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if a = <-got; a.err == nil {
				io.Copy(io.Discard, a.resp.Body)
			}
			drop()
			return nil, errCut
		}
		if werr != nil {
			// tusd stopped reading (it answered early and closed): its
			// answer, if any, is what the client gets.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		}
		stop := context.AfterFunc(r.Context(), func() { conn.SetDeadline(time.Unix(1, 0)) })
		a = <-got
		stop()
	case a = <-got:
		// tusd answered before the whole body was sent (409, 413, a
		// fault, an interrupted PATCH): stop sending it.
		// A write to tusd fails at once; a writer waiting for the client's
		// next bytes (a stalled link) is woken by a read deadline. Only
		// then: once the body is at its end, net/http reads the connection
		// in the background, and a deadline would break it.
		conn.SetWriteDeadline(time.Now())
		select {
		case <-wrote:
		case <-time.After(time.Second):
			if cb, ok := body.(*clientBody); !ok || !cb.eof.Load() {
				rc := http.NewResponseController(w)
				rc.SetReadDeadline(time.Now())
				<-wrote
				rc.SetReadDeadline(time.Time{})
			} else {
				<-wrote
			}
		}
	}
	if a.err != nil {
		drop()
		return nil, a.err
	}
	a.resp.Body = &closeFunc{ReadCloser: a.resp.Body, fn: drop}
	return a.resp, nil
}

// clientBody marks errors that came from reading the client's body.
// clientBody counts the client's body and marks its read errors.
type clientBody struct {
	r   io.Reader
	n   int64       // read by the handler only after the forwarding ended
	eof atomic.Bool // the body arrived whole
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF:
		b.eof.Store(true)
	case err != nil:
		err = clientBodyErr{err}
	}
	return n, err
}

type clientBodyErr struct{ error }

func (e clientBodyErr) Unwrap() error { return e.error }

func isClientBodyErr(err error) bool {
	var c clientBodyErr
	return errors.As(err, &c) || strings.Contains(err.Error(), "with Body length") // body shorter than Content-Length
}

type closeFunc struct {
	io.ReadCloser
	fn   func()
	once sync.Once
}

func (c *closeFunc) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.fn)
	return err
}

// hopHeaders are not forwarded in either direction.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Expect", "Content-Length", "Host"}

func forwardHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for _, k := range hopHeaders {
		out.Del(k)
	}
	out.Del("Authorization")
	return out
}

// copyAnswer writes resp to w (headers, status, body) and closes it.
func copyAnswer(w http.ResponseWriter, resp *http.Response, extra map[string]string) {
	defer resp.Body.Close()
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		if k != "Content-Length" {
			h.Del(k)
		}
	}
	for k, v := range extra {
		h[k] = []string{v}
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// createAtTusd creates an upload of size bytes with the given
// Upload-Metadata and returns tusd's upload id, or tusd's answer if it
// did not answer 201 (the caller closes it).
func (p *plumbing) createAtTusd(w http.ResponseWriter, r *http.Request, size int64, metadata string) (string, *http.Response, error) {
	hdr := http.Header{}
	hdr.Set("Tus-Resumable", "1.0.0")
	hdr.Set("Upload-Length", strconv.FormatInt(size, 10))
	if metadata != "" {
		hdr.Set("Upload-Metadata", metadata)
	}
	resp, err := p.roundTrip(w, r, http.MethodPost, BasePath, hdr, nil, 0)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", resp, nil
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.Path, BasePath) || len(loc.Path) == len(BasePath) {
		return "", nil, fmt.Errorf("tustest: tusd answered 201 with Location %q", resp.Header.Get("Location"))
	}
	return strings.TrimPrefix(loc.Path, BasePath), nil, nil
}

// upstreamFailed answers a request whose forwarding failed: a cut client
// loses its connection, anything else is a 502.
func upstreamFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, errCut) {
		panic(http.ErrAbortHandler)
	}
	http.Error(w, "stand-in: tusd unreachable: "+err.Error(), http.StatusBadGateway)
}

// --- the upload host: one-time upload URLs on another origin ---

// hosted is one upload URL handed out by a stand-in.
type hosted struct {
	key     string // last path element of the upload URL
	tusID   string
	mediaID string
	size    int64
	issued  time.Time
	expires time.Time // zero: never
}

// uploadHost serves HEAD/PATCH/DELETE/OPTIONS for the URLs it handed out
// and forwards them to tusd, recording Authorization headers (which must
// not reach another origin) and, where enabled, Stream's chunk rules.
type uploadHost struct {
	p      *plumbing
	URL    string // scheme://host:port, through the fault layer
	prefix string // path before the key, e.g. "/tus/"
	query  string // appended to handed-out URLs, e.g. "?tusv2=true"

	rules    bool // Cloudflare Stream's chunk rules on PATCH
	mediaHdr bool // send stream-media-id

	mu        sync.Mutex
	uploads   map[string]*hosted
	leakedCnt int
	viol      []string
	expired   int  // status for expired URLs
	announce  bool // Upload-Expires on answers for expiring URLs
}

func newUploadHost(p *plumbing, prefix, query string) *uploadHost {
	h := &uploadHost{p: p, prefix: prefix, query: query, expired: http.StatusGone, uploads: map[string]*hosted{}}
	h.URL, _ = p.serve(h)
	return h
}

func (h *uploadHost) add(u *hosted) string {
	h.mu.Lock()
	h.uploads[u.key] = u
	h.mu.Unlock()
	return h.URL + h.prefix + u.key + h.query
}

func (h *uploadHost) leaked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.leakedCnt
}

func (h *uploadHost) violations() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.viol...)
}

func (h *uploadHost) violate(w http.ResponseWriter, r *http.Request, msg string) {
	h.mu.Lock()
	h.viol = append(h.viol, msg)
	h.mu.Unlock()
	io.Copy(io.Discard, r.Body) // read it all, so the client reliably gets the answer
	textAnswer(w, r, http.StatusBadRequest, msg)
}

// textAnswer answers like a tus server: a text body (none for HEAD) and
// Tus-Resumable.
func textAnswer(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h := w.Header()
	h.Set("Tus-Resumable", "1.0.0")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		w.WriteHeader(code)
		return
	}
	msg += "\n"
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

// Stream's chunk rules (developers.cloudflare.com/stream, "resumable uploads").
const (
	streamChunkUnit = 256 << 10
	streamChunkMin  = 5 << 20
	streamChunkMax  = 200 << 20
)

// chunkRule returns what is wrong with a PATCH of n bytes at offset off
// of an upload of size bytes, or "" if nothing is.
func chunkRule(off, n, size int64) string {
	if off+n == size {
		return "" // the last chunk may be any size
	}
	var why string
	switch {
	case n%streamChunkUnit != 0:
		why = "is not a multiple of 256 KiB (262144 bytes)"
	case n < streamChunkMin:
		why = "is smaller than 5 MiB"
	case n > streamChunkMax:
		why = "is larger than 200 MiB"
	default:
		return ""
	}
	return fmt.Sprintf("chunk of %d bytes at offset %d (upload of %d bytes) %s; every chunk but the last must be a multiple of 256 KiB, at least 5 MiB and at most 200 MiB", n, off, size, why)
}

func (h *uploadHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if r.Header.Get("Authorization") != "" {
		h.leakedCnt++
	}
	key, ok := strings.CutPrefix(r.URL.Path, h.prefix)
	u := h.uploads[key]
	expiredCode, announce := h.expired, h.announce
	h.mu.Unlock()
	if !ok || u == nil {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		textAnswer(w, r, http.StatusNotFound, "upload not found")
		return
	}
	method := effectiveMethod(r)
	switch method {
	case http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		w.Header().Set("Allow", "HEAD, PATCH, DELETE, OPTIONS")
		textAnswer(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	extra := map[string]string{}
	if h.mediaHdr {
		extra["stream-media-id"] = u.mediaID
	}
	if !u.expires.IsZero() && announce {
		extra["Upload-Expires"] = u.expires.UTC().Format(http.TimeFormat)
	}
	if method != http.MethodOptions && !u.expires.IsZero() && !time.Now().Before(u.expires) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		for k, v := range extra {
			w.Header()[k] = []string{v}
		}
		textAnswer(w, r, expiredCode, "upload expired")
		return
	}

	var off int64 = -1
	if method == http.MethodPatch {
		if o, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64); err == nil && o >= 0 {
			off = o
		}
	}
	// Judge a PATCH with a declared length before it is sent on: the
	// client meant this chunk whether or not the link then cuts it.
	if h.rules && method == http.MethodPatch && off >= 0 && r.ContentLength >= 0 && off+r.ContentLength <= u.size {
		if msg := chunkRule(off, r.ContentLength, u.size); msg != "" {
			for k, v := range extra {
				w.Header()[k] = []string{v}
			}
			h.violate(w, r, fmt.Sprintf("media %s: %s", u.mediaID, msg))
			return
		}
	}

	hdr := forwardHeader(r.Header)
	var body *clientBody
	var rd io.Reader
	if method == http.MethodPatch || r.ContentLength != 0 {
		body = &clientBody{r: r.Body}
		rd = body
	}
	resp, err := h.p.roundTrip(w, r, r.Method, BasePath+u.tusID, hdr, rd, r.ContentLength)
	if err != nil {
		upstreamFailed(w, err)
		return
	}
	// tusd answered before reading the whole body (a stale offset): read
	// the rest, as violate does, so the client gets the answer rather than
	// a reset connection while it is still sending.
	if body != nil && !body.eof.Load() {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, r.Body)
		rc.SetReadDeadline(time.Time{})
	}
	// A chunked PATCH can only be judged once its body arrived whole.
	if h.rules && method == http.MethodPatch && r.ContentLength < 0 && body.eof.Load() && off >= 0 && resp.StatusCode/100 == 2 {
		if msg := chunkRule(off, body.n, u.size); msg != "" {
			resp.Body.Close()
			for k, v := range extra {
				w.Header()[k] = []string{v}
			}
			h.violate(w, r, fmt.Sprintf("media %s: %s (sent without Content-Length; tusd stored it)", u.mediaID, msg))
			return
		}
	}
	copyAnswer(w, resp, extra)
}

// --- small helpers ---

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// parseMetadata decodes an Upload-Metadata header ("key b64,key b64").
func parseMetadata(s string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(pair), " ")
		if k == "" {
			continue
		}
		d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		out[k] = string(d)
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, contentType string, v any) {
	b, _ := json.Marshal(v)
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header,
// with the scheme matched case-insensitively.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}
