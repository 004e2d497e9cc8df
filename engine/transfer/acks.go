package transfer

import (
	"net"
	"sync"
)

// AcksKnown reports whether this system tells a connection's acknowledged
// bytes, tried once on a loopback connection: where it does not (Windows
// before 10 1703; Wine, which has no SIO_TCP_INFO; other systems),
// progress counts bytes handed to the kernel, which runs ahead of the
// network by the socket's buffers.
var AcksKnown = sync.OnceValue(func() bool {
	if !ackKnown {
		return false
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return false
	}
	defer c.Close()
	_, ok := peerAcked(&countingConn{TCPConn: c.(*net.TCPConn)})
	return ok
})
