package tustest

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// proxy is the TCP fault layer: it accepts client connections and pipes
// each to tusd's faulty listener, cutting, throttling or black-holing them.
type proxy struct {
	faults *faultState
	ln     net.Listener
	target string
	lim    limiter
	nconn  atomic.Uint64
	fwd    atomic.Int64 // client→server bytes forwarded, all connections

	mu     sync.Mutex
	conns  map[*pconn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func newProxy(ln net.Listener, fs *faultState, target string) *proxy {
	p := &proxy{faults: fs, ln: ln, target: target, conns: map[*pconn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed
		}
		p.wg.Add(1)
		go p.handle(c.(*net.TCPConn), p.nconn.Add(1)-1)
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.close(false)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// pconn is one proxied connection. sent and the cut/hole bookkeeping are
// owned by the client→server goroutine.
type pconn struct {
	id      uint64
	client  *net.TCPConn
	up      *net.TCPConn
	done    chan struct{}
	once    sync.Once
	holed   atomic.Bool   // black-holed: nothing moves any more
	cutting atomic.Bool   // being cut: server→client data is dropped
	downed  chan struct{} // pumpDown has returned

	sent             int64
	cutAt            int64
	cutEvery, cutFor int64 // CutEvery and CutSeed cutAt was drawn for
	holeGen          uint64
	holeChecked      bool
}

// close tears the connection down; abort resets the client side (RST)
// instead of a graceful FIN, like a dropped link seen by the client.
func (c *pconn) close(abort bool) {
	c.once.Do(func() {
		if abort {
			c.client.SetLinger(0)
		}
		c.client.Close()
		c.up.Close()
		close(c.done)
	})
}

func (p *proxy) handle(client *net.TCPConn, id uint64) {
	defer p.wg.Done()
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.SetLinger(0)
		client.Close()
		return
	}
	if f, _ := p.faults.get(); f.RateLimit > 0 {
		// A small receive window keeps the client from parking megabytes in
		// kernel buffers, so its view of progress stays close to the link's.
		client.SetReadBuffer(int(min(max(f.RateLimit/8, 4<<10), 256<<10)))
	}
	c := &pconn{id: id, client: client, up: up.(*net.TCPConn), done: make(chan struct{}), downed: make(chan struct{})}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.close(false)
		return
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()

	p.wg.Add(1)
	go p.pumpDown(c)
	p.pumpUp(c)
	<-c.done
}

// pumpDown copies server→client until either side fails, unless the
// connection is black-holed, in which case it goes quiet until Close.
func (p *proxy) pumpDown(c *pconn) {
	defer p.wg.Done()
	defer close(c.downed)
	buf := make([]byte, 32<<10)
	for {
		n, err := c.up.Read(buf)
		if c.holed.Load() {
			<-c.done // drop the data and keep the client socket open
			return
		}
		if n > 0 && !c.cutting.Load() {
			if _, werr := c.client.Write(buf[:n]); werr != nil {
				c.close(false)
				return
			}
		}
		if err != nil {
			if !c.cutting.Load() {
				c.close(false)
			}
			return
		}
	}
}

// pumpUp copies client→server, applying the rate limit and the byte
// thresholds for cuts and black holes.
func (p *proxy) pumpUp(c *pconn) {
	buf := make([]byte, 32<<10)
	for {
		f, _ := p.faults.get()
		n := len(buf)
		if f.RateLimit > 0 {
			n = int(min(int64(n), max(1, f.RateLimit/50))) // ~20ms of link time per read
		}
		m, err := c.client.Read(buf[:n])
		if m > 0 {
			if f, _ = p.faults.get(); f.RateLimit > 0 && !p.lim.wait(m, f.RateLimit, c.done) {
				return
			}
			if !p.forward(c, buf[:m]) {
				return
			}
		}
		if err != nil {
			c.close(false)
			return
		}
	}
}

// forward writes data upstream, stopping exactly at a cut or black-hole
// threshold. It returns false once the connection is finished.
func (p *proxy) forward(c *pconn, data []byte) bool {
	const (
		none = iota
		cut
		hole
	)
	for len(data) > 0 {
		f, gen := p.faults.get()
		limit, action := int64(len(data)), none
		cutLeft := int64(-1)
		if f.CutEvery > 0 {
			cutLeft = max(c.cutPoint(f)-c.sent, 0)
			if cutLeft <= limit {
				limit, action = cutLeft, cut
			}
		}
		if f.BlackholeAfter > 0 && (!c.holeChecked || c.holeGen != gen) {
			holeLeft := max(f.BlackholeAfter-c.sent, 0)
			if holeLeft <= limit && (action == none || holeLeft < cutLeft) {
				if p.faults.claimHole() {
					limit, action = holeLeft, hole
				} else {
					c.holeChecked, c.holeGen = true, gen // quota used up: never hole this conn for these faults
				}
			}
		}
		if limit > 0 {
			if _, err := c.up.Write(data[:limit]); err != nil {
				c.close(false)
				return false
			}
			c.sent += limit
			p.fwd.Add(limit)
		}
		switch action {
		case cut:
			p.cut(c)
			return false
		case hole:
			c.holed.Store(true)
			<-c.done // stop reading from the client; sockets stay open until Close
			return false
		}
		data = data[limit:]
	}
	return true
}

// cut ends the connection: tusd gets EOF after the forwarded bytes and,
// once it has finished with them (closed its side), the client gets a
// reset. Waiting makes the stored offset exactly the forwarded bytes;
// otherwise the client's next request could interrupt tusd before it had
// read what was already in its socket, which makes tests nondeterministic.
func (p *proxy) cut(c *pconn) {
	c.cutting.Store(true)
	c.up.CloseWrite()
	t := time.NewTimer(3 * time.Second)
	defer t.Stop()
	select {
	case <-c.downed:
	case <-c.done:
	case <-t.C:
	}
	c.close(true)
}

// cutPoint draws this connection's cut offset, again if the faults changed.
func (c *pconn) cutPoint(f Faults) int64 {
	if c.cutEvery != f.CutEvery || c.cutFor != f.CutSeed || c.cutAt == 0 {
		r := rand.New(rand.NewPCG(uint64(f.CutSeed), c.id))
		c.cutAt = f.CutEvery/2 + r.Int64N(f.CutEvery+1)
		c.cutEvery, c.cutFor = f.CutEvery, f.CutSeed
		if c.cutAt == 0 {
			c.cutAt = 1
		}
	}
	return c.cutAt
}

// limiter paces bytes through one shared virtual link.
type limiter struct {
	mu   sync.Mutex
	next time.Time // when the link is free again
}

// wait blocks for n bytes' worth of link time; false if done closed first.
func (l *limiter) wait(n int, rate int64, done <-chan struct{}) bool {
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	l.next = l.next.Add(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
	d := l.next.Sub(now)
	l.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
