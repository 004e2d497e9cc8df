package transfer

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// countingConn counts the bytes written to a connection, so a request's
// progress (and its stalls) can be seen however its body is sent. It
// keeps sendfile: a file body is handed to the kernel in slices.
type countingConn struct {
	*net.TCPConn
	written atomic.Int64
	// handed counts bytes before a write hands them to the kernel, and
	// takes back what it did not take: at any instant no peer can hold
	// more than this, and once calls return it is exact.
	handed atomic.Int64
	// left is handed minus what never left the machine, taken as the
	// connection closes (-1: unknown), for a peer that broke it.
	left      atomic.Int64
	closeOnce sync.Once
	lastAcked atomic.Int64 // the last count the kernel could vouch for
	exact     atomic.Bool  // the kernel told acknowledged bytes at least once
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.handed.Add(int64(len(p)))
	n, err := c.TCPConn.Write(p)
	c.handed.Add(int64(n - len(p)))
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
		c.handed.Add(slice)
		n, err := c.TCPConn.ReadFrom(&io.LimitedReader{R: fb.f, N: slice})
		c.handed.Add(n - slice)
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

// Close notes what left the machine before the socket, and its queue,
// are gone.
func (c *countingConn) Close() error {
	c.closeOnce.Do(func() {
		n, ok := c.sent()
		if !ok {
			n = -1
		}
		c.left.Store(n)
	})
	return c.TCPConn.Close()
}

// sent is how many bytes may have left this machine: handed, less what
// the kernel still holds unsent; as at Close once closed.
func (c *countingConn) sent() (int64, bool) {
	if q, ok := notSent(c); ok {
		return max(c.handed.Load()-q, 0), true
	}
	if n := c.left.Load(); n >= 0 {
		return n, true
	}
	return 0, false
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
		cc := &countingConn{TCPConn: tc}
		cc.left.Store(-1)
		return cc, nil
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
