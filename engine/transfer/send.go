package transfer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// Progress hears about an upload's bytes.
type Progress interface {
	// Sent reports bytes handed to the connection since the last call.
	Sent(n int64)
	// Accepted reports the server's confirmed offset after a PATCH.
	Accepted(offset int64, mediaID string)
	// Offered reports, after each request with a body, that no byte at
	// or past end was handed to its connection: the bound on what the
	// server can hold, whatever it claims later.
	Offered(end int64)
}

// nopProgress is the progress of a request without a body.
type nopProgress struct{}

func (nopProgress) Sent(int64)             {}
func (nopProgress) Accepted(int64, string) {}
func (nopProgress) Offered(int64)          {}

// Send PATCHes the file at path, bytes [offset, size), to the upload and
// returns the server's final offset. With t.ChunkSize 0 the remainder
// goes in one streaming request; with N, every request but the last is
// exactly N bytes, wherever offset lies (a destination's chunk rules hold
// after a cut too). On error the returned offset is the last one the
// server confirmed.
//
// guard, if not nil, is asked just before the file's final byte (size-1)
// goes out; an error from it ends the request before that byte, so a
// server never completes an upload of a file that changed meanwhile.
// Send then returns the guard's error unchanged.
func (c *Client) Send(ctx context.Context, t Target, upload, path string, offset, size int64, p Progress, guard func() error) (int64, error) {
	for offset < size {
		n := size - offset
		if t.ChunkSize > 0 && n > t.ChunkSize {
			n = t.ChunkSize
		}
		g := guard
		if offset+n < size {
			g = nil
		}
		next, mediaID, err := c.patch(ctx, t, upload, path, offset, n, p, g)
		if err != nil {
			return offset, err
		}
		if next <= offset || next > offset+n {
			return offset, &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict, Msg: "The server reported an unexpected offset (" + strconv.FormatInt(next, 10) + ")"}
		}
		offset = next
		p.Accepted(offset, mediaID)
	}
	return offset, nil
}

func (c *Client) patch(ctx context.Context, t Target, upload, path string, offset, n int64, p Progress, guard func() error) (int64, string, error) {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/offset+octet-stream")
	hdr.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	res, err := c.stream(ctx, t, request{method: http.MethodPatch, target: upload, hdr: hdr, path: path, offset: offset, n: n, guard: guard}, p)
	if err != nil {
		return offset, "", err
	}
	defer res.release()
	if res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusOK {
		return offset, "", statusError("patch", upload, res.Response)
	}
	next, err := parseOffset(res.Header, "PATCH")
	if err != nil {
		return offset, "", notTus(upload, err.Error())
	}
	if err := res.beyondOffered(next); err != nil {
		return offset, "", err
	}
	if res.Close && next > offset {
		// An answer that closes the connection may have come before the
		// server read the body: the bytes that "left" may sit unread in
		// its socket, and the offset be a claim. It is checked once.
		res.release()
		held, _, err := c.Offset(ctx, t, upload)
		if err != nil {
			return offset, "", err
		}
		if held < next {
			return offset, "", &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict, Msg: fmt.Sprintf("The server answered offset %d, then said it holds %d bytes; its answers cannot be trusted", next, held)}
		}
	}
	return next, res.Header.Get("Stream-Media-ID"), nil
}

// request is one request, whose body, if path is set, is bytes
// [offset, offset+n) of a file.
type request struct {
	method, target string
	hdr            http.Header
	path           string
	offset, n      int64
	guard          func() error  // asked before the body's last byte; nil: none
	create         bool          // a creation request: Target.CreateHeader goes too
	answer         time.Duration // the wait for the answer once the server has the request; 0: ResponseTimeout
}

// answer is a server's answer to a request.
type answer struct {
	*http.Response
	// offered is how much of the body had been handed to the connection
	// when the answer came: the server cannot have taken more.
	offered int64
	start   int64 // the body's offset in the file
	release func()
}

// parseOffset reads an answer's Upload-Offset; the error names what is
// wrong with it, for a sentence.
func parseOffset(h http.Header, method string) (int64, error) {
	v := h.Get("Upload-Offset")
	if v == "" {
		return 0, fmt.Errorf("no Upload-Offset in the answer to %s", method)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return 0, fmt.Errorf("an Upload-Offset that is not a byte count (%q) in the answer to %s", v, method)
	}
	return n, nil
}

// refusedWhole says an answer refuses the request before its body is
// stored (tus: a wrong offset, an upload gone, no access, too large, a
// checksum mismatch): what left with it offers the server nothing, and a
// later claim to hold it is not believed. A 400 (tusd's "interrupted")
// and a 5xx may come after part of the body was stored.
func refusedWhole(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
		http.StatusGone, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, 460:
		return true
	}
	return false
}

// beyondOffered refuses an offset past what the request offered.
func (a *answer) beyondOffered(next int64) error {
	if next <= a.start+a.offered {
		return nil
	}
	return &fault.Error{Kind: fault.Conflict, Code: fault.CodeConflict, Msg: fmt.Sprintf("The server claims offset %d, but only %d bytes were offered to it", next, a.start+a.offered)}
}

// stream sends r, watched for stalls, and returns the answer, whose
// release drains it (keeping the connection) and frees the request. Each
// request has its own file handles: net/http may still be reading a
// failed request's body after Do returns, and a shared file offset would
// then corrupt the next request. Every request goes this way, a HEAD as a
// PATCH: a silent link is abandoned at the stall timeout, and a server
// that has the whole request gets the response timeout to answer.
func (c *Client) stream(ctx context.Context, t Target, r request, p Progress) (*answer, error) {
	rctx, cancel := context.WithCancelCause(ctx)
	files := &openFiles{closed: make(chan struct{}, 1)}
	g := &gate{last: r.guard, path: r.path}
	sent := &tracker{n: r.n}
	fail := func(err error) (*answer, error) {
		cancel(nil)
		files.close()
		if r.path != "" {
			p.Offered(r.offset + sent.offered(sent.tight))
		}
		return nil, err
	}
	var body io.Reader
	isFile := false
	if r.path != "" {
		b, f, err := c.body(rctx, files, r, g)
		if err != nil {
			return fail(err)
		}
		body, isFile = b, f
	}
	tctx := httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotConn: sent.gotConn})
	req, err := newRequest(tctx, t, r, body)
	if err != nil {
		return fail(err)
	}
	req.ContentLength = r.n
	if r.n == 0 && r.path != "" {
		req.Body = http.NoBody
	}
	if r.path != "" {
		// A 307/308 (or net/http retrying on a fresh connection) reads the
		// body again, from the file at the same offset.
		req.GetBody = func() (io.ReadCloser, error) {
			b, _, err := c.body(rctx, files, r, g)
			return b, err
		}
	}

	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		c.watch(rctx, cancel, done, sent, isFile, p, cmp.Or(r.answer, c.responseTimeout()))
	}()
	res, err := c.send(t, req)
	if err == nil && r.path != "" && res.StatusCode/100 == 2 {
		files.written(rctx) // the server took the body: count all of it
	}
	close(done)
	<-watched
	if err != nil {
		if gerr := g.failed(); gerr != nil {
			return fail(gerr)
		}
		if errors.Is(context.Cause(rctx), errStalled) && c.HTTP != nil {
			// Idle connections to a host that went silent are likely dead
			// too; the HEAD that follows must not wait on one of them.
			c.HTTP.CloseIdleConnections()
		}
		if context.Cause(rctx) == nil && peerBroke(err) {
			// Nothing leaves a connection the peer broke: what left
			// before is all it can have.
			sent.tight = true
		}
		nerr := c.netError(ctx, rctx, r.target, err)
		var e *fault.Error
		// The whole request went, and the peer broke the connection
		// after: it may have acted on it (a creation made) however soon
		// it dropped, before any tick saw the bytes acknowledged.
		if errors.As(nerr, &e) && (sent.reached.Load() || sent.handedOff() && (!sent.exact() || peerBroke(err))) {
			e.Reached = true
		}
		return fail(nerr)
	}
	// The answer speaks of bytes that had left when it was sent; later
	// ones may still leave, so the bound kept is the wider one.
	a := &answer{Response: res, offered: sent.offered(true), start: r.offset}
	if r.path != "" && !refusedWhole(res.StatusCode) {
		p.Offered(r.offset + sent.offered(false))
	}
	a.release = sync.OnceFunc(func() {
		// A body that trickles must not hold the request for ever.
		t := time.AfterFunc(c.stall(), func() { cancel(errStalled) })
		drain(res)
		t.Stop()
		cancel(nil)
		files.close()
	})
	return a, nil
}

// openFiles are the handles a request's bodies read from, one a body.
type openFiles struct {
	mu     sync.Mutex
	fs     []*os.File
	done   int           // bodies net/http has closed
	closed chan struct{} // a body was closed (buffered: a wake-up, not a count)
}

// bodyClosed: net/http is done with a body. It closes one once it has
// written it.
func (o *openFiles) bodyClosed() {
	o.mu.Lock()
	o.done++
	o.mu.Unlock()
	select {
	case o.closed <- struct{}{}:
	default:
	}
}

// written waits, a second at most, until net/http has closed every body
// it was given, so that the last bytes it wrote are counted before the
// request is over: the answer can arrive while the goroutine that wrote
// the body is still on its way back from its last write.
func (o *openFiles) written(ctx context.Context) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		o.mu.Lock()
		all := o.done >= len(o.fs)
		o.mu.Unlock()
		if all {
			return
		}
		select {
		case <-o.closed:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (o *openFiles) open(path string) (*os.File, error) {
	f, err := localfile.Open(path)
	if err != nil {
		return nil, localfile.Gone(path, err)
	}
	o.mu.Lock()
	o.fs = append(o.fs, f)
	o.mu.Unlock()
	return f, nil
}

func (o *openFiles) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range o.fs {
		f.Close()
	}
	o.fs = nil
}

// watch reports progress and abandons the request when no byte moved for
// the stall timeout, or when a rate limit appears mid-request (a file body
// cannot be slowed down once handed to sendfile). Once the server has
// acknowledged the whole body, silence is the server working (assembling
// chunks, running a hook), not a dead link: the answer then gets the
// longer response timeout.
func (c *Client) watch(ctx context.Context, cancel context.CancelCauseFunc, done <-chan struct{}, sent *tracker, isFile bool, p Progress, answer time.Duration) {
	tick := min(c.stall()/4, 250*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	var reported int64
	last := time.Now()
	var answerBy time.Time // set once the body is all acknowledged
	gen := sent.gen.Load()
	report := func() {
		if pos := sent.pos(); pos > reported {
			p.Sent(pos - reported)
			reported, last = pos, time.Now()
		}
	}
	defer report()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			report()
			now := time.Now()
			if g := sent.gen.Load(); g != gen {
				// A new connection (a redirect, net/http retrying): its body
				// starts over, and so does watching it.
				gen, answerBy, last = g, time.Time{}, now
			}
			if answerBy.IsZero() && sent.acknowledged() {
				answerBy = now.Add(answer)
				sent.reached.Store(true)
			}
			if !answerBy.IsZero() {
				if now.After(answerBy) {
					cancel(&noAnswer{wait: answer})
					return
				}
				continue
			}
			limit := c.stall()
			if !sent.exact() && sent.handedOff() {
				// The body sits in kernel buffers we cannot see drain; a slow
				// link may need a while before the server can answer.
				limit *= 4
			}
			if now.Sub(last) > limit {
				cancel(errStalled)
				return
			}
			if isFile && c.limited() {
				cancel(errReshape)
				return
			}
		}
	}
}

func (c *Client) limited() bool {
	return c.Limiter != nil && c.Limiter.Limit() != rate.Inf
}

// tracker reads a request's progress off its connection's byte count.
type tracker struct {
	conn   atomic.Pointer[countingConn]
	start  atomic.Int64 // the connection's progress count when the request got it
	wstart atomic.Int64 // its written count then
	hstart atomic.Int64 // its handed count then
	gen    atomic.Int32 // connections the request has had
	// reached: the peer acknowledged the whole request on some connection.
	reached atomic.Bool
	tight   bool  // the peer broke the connection: count what left, not what was handed
	n       int64 // body length: the count also holds the request's headers
}

func (t *tracker) gotConn(info httptrace.GotConnInfo) {
	if cc := counterOf(info.Conn); cc != nil {
		t.start.Store(cc.acked())
		t.wstart.Store(cc.written.Load())
		t.hstart.Store(cc.handed.Load())
		t.conn.Store(cc)
		t.gen.Add(1)
	}
}

// pos is how much of the body has gone: acknowledged by the peer where the
// platform can tell, else handed to the kernel.
func (t *tracker) pos() int64 {
	cc := t.conn.Load()
	if cc == nil {
		return 0
	}
	return min(max(cc.acked()-t.start.Load(), 0), t.n)
}

// offered bounds the body bytes handed to the request's connection, or
// with tight, those that left the machine where the kernel tells: the
// counts hold the request's headers too, so they err high, never low. (A
// redirect or a retry sends the same bytes again on a new connection.)
func (t *tracker) offered(tight bool) int64 {
	cc := t.conn.Load()
	if cc == nil {
		return 0
	}
	n := cc.handed.Load()
	if tight {
		if left, ok := cc.sent(); ok {
			n = min(n, left)
		}
	}
	return min(max(n-t.hstart.Load(), 0), t.n)
}

// peerBroke: the server dropped the connection (reset, closed).
func peerBroke(err error) bool {
	return connDropped(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// acknowledged says the peer has acknowledged the whole body (to within
// the request's header bytes), where the platform can tell.
// A request without a body is acknowledged once it was written and the
// socket holds nothing the peer has not acknowledged.
func (t *tracker) acknowledged() bool {
	if !t.exact() {
		return false
	}
	if t.n > 0 {
		return t.pos() >= t.n
	}
	cc := t.conn.Load()
	if cc.written.Load() <= t.wstart.Load() {
		return false
	}
	q, ok := unacked(cc)
	return ok && q == 0
}

// exact says the connection's count is bytes acknowledged, not written.
func (t *tracker) exact() bool {
	cc := t.conn.Load()
	return cc != nil && cc.exact.Load()
}

// handedOff says the whole body is in the kernel's hands.
func (t *tracker) handedOff() bool {
	cc := t.conn.Load()
	return cc != nil && cc.written.Load()-t.wstart.Load() > t.n
}
