package transfer

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// countingConn counts the bytes written to a connection, so a request's
// progress (and its stalls) can be seen however its body is sent. It
// keeps sendfile: a file body is handed to the kernel in slices.
type countingConn struct {
	*net.TCPConn
	written   atomic.Int64
	lastAcked atomic.Int64 // the last count the kernel could vouch for
	exact     atomic.Bool  // the kernel told acknowledged bytes at least once
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.TCPConn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

func (c *countingConn) ReadFrom(r io.Reader) (int64, error) {
	limit := int64(-1)
	lr, limited := r.(*io.LimitedReader)
	if limited {
		limit, r = lr.N, lr.R
	}
	fb, ok := r.(*fileBody)
	if !ok {
		if limited {
			r = lr
		}
		return io.Copy(writerOnly{c}, r)
	}
	if limit < 0 || fb.left < limit {
		limit = fb.left
	}
	var total int64
	for limit > 0 {
		if fb.left == 1 && fb.last.pending() {
			c.waitAcked()
		}
		slice, err := fb.last.allow(min(int64(sendfileSlice), limit), fb.left)
		if err != nil {
			return total, err
		}
		// Counted before it goes: the server may have bytes of a slice
		// before the call returns.
		fb.last.g.moved(fb.n - fb.left + slice)
		n, err := c.TCPConn.ReadFrom(&io.LimitedReader{R: fb.f, N: slice})
		total += n
		limit -= n
		fb.read(n)
		if limited {
			lr.N -= n
		}
		c.written.Add(n)
		if err != nil || n < slice {
			return total, err
		}
	}
	return total, nil
}

// waitAcked waits until the peer has acknowledged everything written.
// sendfile sends from the page cache without a copy, so until then an
// edit of the file can still change bytes on their way (retransmissions
// included): a guard asked earlier could pass a file that then arrives
// mixed. It gives up where the kernel cannot tell or the socket closed
// (a stall cancels the request and closes it).
func (c *countingConn) waitAcked() {
	for d := 200 * time.Microsecond; ; d = min(2*d, 20*time.Millisecond) {
		if n, ok := unacked(c); !ok || n <= 0 {
			return
		}
		time.Sleep(d) // no event tells of acknowledgements
	}
}

// acked is the connection's progress counter: bytes the peer acknowledged
// where the kernel tells (Linux, macOS, Windows 10+), else bytes written.
// It never goes back.
func (c *countingConn) acked() int64 {
	if ackKnown {
		if n, ok := peerAcked(c); ok {
			c.lastAcked.Store(n)
			c.exact.Store(true)
			return n
		}
		if c.exact.Load() {
			return c.lastAcked.Load() // closed: the last count stands
		}
	}
	return c.written.Load()
}

// writerOnly hides ReadFrom so io.Copy uses Write.
type writerOnly struct{ io.Writer }

// dialer makes counting connections that reset when closed, dropping what
// is still in the send buffer: a paused or cancelled upload stops on the
// wire at once instead of draining megabytes of buffered body (the resume
// offers those bytes again anyway).
func dialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc, ok := c.(*net.TCPConn)
		if !ok {
			return c, nil
		}
		tc.SetLinger(0)
		return &countingConn{TCPConn: tc}, nil
	}
}

// counterOf finds the counting connection under a (possibly TLS) conn.
func counterOf(c net.Conn) *countingConn {
	for {
		switch v := c.(type) {
		case *countingConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}
