package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Progress hears about an upload's bytes.
type Progress interface {
	// Sent reports bytes handed to the connection since the last call.
	Sent(n int64)
	// Accepted reports the server's confirmed offset after a PATCH.
	Accepted(offset int64, mediaID string)
}

// Send PATCHes the file at path, bytes [offset, size), to the upload and returns the server's final
// offset. With t.ChunkSize 0 the remainder goes in one streaming request.
// On error the returned offset is the last one the server confirmed.
// guard, if not nil, is asked just before the file's final byte (size-1)
// goes out; an error from it ends the request before that byte, so a
// server never completes an upload of a file that changed meanwhile.
func (c *Client) Send(ctx context.Context, t Target, upload, path string, offset, size int64, p Progress, guard func() error) (int64, error) {
	for offset < size {
		n := size - offset
		if t.ChunkSize > 0 && n > t.ChunkSize {
			n = t.ChunkSize
		}
		next, mediaID, err := c.patch(ctx, t, upload, path, offset, n, p)
		if err != nil {
			return offset, err
		}
		if next <= offset || next > size {
			return offset, &Error{Kind: Conflict, Msg: "The server reported an unexpected offset"}
		}
		offset = next
		p.Accepted(offset, mediaID)
	}
	return offset, nil
}

// patch sends one request. Each has its own file handle: net/http may
// still be reading a failed request's body after Do returns, and a shared
// file offset would then corrupt the next request.
func (c *Client) patch(ctx context.Context, t Target, upload, path string, offset, n int64, p Progress) (int64, string, error) {
	tc, err := c.tus(t)
	if err != nil {
		return offset, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return offset, "", &Error{Kind: Permanent, Msg: fmt.Sprintf("Cannot read %s: %v.", path, rootCause(err)), Err: err}
	}
	defer f.Close()
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	body, isFile, err := c.body(rctx, f, offset, n)
	if err != nil {
		return offset, "", &Error{Kind: Permanent, Msg: fmt.Sprintf("Cannot read %s: %v.", path, rootCause(err)), Err: err}
	}
	sent := &tracker{n: n}
	tctx := httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotConn: sent.gotConn})
	req, err := http.NewRequestWithContext(tctx, http.MethodPatch, upload, body)
	if err != nil {
		return offset, "", &Error{Kind: Permanent, Msg: "Invalid upload URL " + upload, Err: err}
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))

	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		c.watch(rctx, cancel, done, sent, isFile, p)
	}()
	res, err := tc.Do(req)
	close(done)
	<-watched
	if err != nil {
		if errors.Is(context.Cause(rctx), errStalled) {
			// Idle connections to a host that went silent are likely dead
			// too; the HEAD that follows must not wait on one of them.
			c.HTTP.CloseIdleConnections()
		}
		return offset, "", netError(ctx, rctx, upload, err, c.stall())
	}
	defer drain(res)
	if res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusOK {
		return offset, "", statusError("patch", upload, res)
	}
	next, err := strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		return offset, "", notTus(upload, "no Upload-Offset in the answer to PATCH")
	}
	return next, res.Header.Get("Stream-Media-ID"), nil
}

// watch reports progress and abandons the request when no byte moved for
// the stall timeout, or when a rate limit appears mid-request (a file body
// cannot be slowed down once handed to sendfile).
func (c *Client) watch(ctx context.Context, cancel context.CancelCauseFunc, done <-chan struct{}, sent *tracker, isFile bool, p Progress) {
	tick := min(c.stall()/4, 250*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	var reported int64
	last := time.Now()
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
			limit := c.stall()
			if !ackKnown && sent.handedOff() {
				// The body sits in kernel buffers we cannot see drain; a slow
				// link may need a while before the server can answer.
				limit *= 4
			}
			if time.Since(last) > limit {
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

// body returns the fastest body the settings allow: a fileBody, sent with
// sendfile, when there is no rate limit, else a reader that waits on the
// shared limiter.
func (c *Client) body(ctx context.Context, f *os.File, offset, n int64) (rc io.ReadCloser, isFile bool, err error) {
	if !c.limited() {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return nil, false, err
		}
		return &fileBody{f: f, left: n}, true, nil
	}
	return io.NopCloser(&limitedBody{ctx: ctx, r: io.NewSectionReader(f, offset, n), lim: c.Limiter, stall: c.stall()}), false, nil
}

// tracker reads a request's progress off its connection's byte count.
type tracker struct {
	conn  atomic.Pointer[countingConn]
	start atomic.Int64
	n     int64 // body length: the count also holds the request's headers
}

func (t *tracker) gotConn(info httptrace.GotConnInfo) {
	if cc := counterOf(info.Conn); cc != nil {
		t.start.Store(cc.acked())
		t.conn.Store(cc)
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

// handedOff says the whole body is in the kernel's hands.
func (t *tracker) handedOff() bool {
	cc := t.conn.Load()
	return cc != nil && cc.written.Load()-t.start.Load() >= t.n
}

// limitedBody reads through the shared rate limiter, in pieces small
// enough that no wait outlasts a quarter of the stall timeout (at 1 KB/s a
// 32 KiB piece would wait half a minute and look like a dead link).
type limitedBody struct {
	ctx   context.Context
	r     io.Reader
	lim   *rate.Limiter
	stall time.Duration
}

func (b *limitedBody) Read(p []byte) (int, error) {
	for tries := 0; ; tries++ {
		limit := b.lim.Limit()
		if limit == rate.Inf {
			return b.r.Read(p)
		}
		n := min(len(p), b.lim.Burst(), max(int(float64(limit)*b.stall.Seconds()/4), 512))
		err := b.lim.WaitN(b.ctx, n)
		if err == nil {
			return b.r.Read(p[:n])
		}
		// The limit changed between sizing and waiting: size again.
		if b.ctx.Err() != nil || tries == 3 {
			return 0, err
		}
	}
}
