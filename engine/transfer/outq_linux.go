package transfer

import (
	"net"

	"golang.org/x/sys/unix"
)

// ackKnown: on Linux the send queue can be read, so progress counts bytes
// the peer acknowledged, not bytes parked in kernel buffers.
const ackKnown = true

// unsent is what the kernel still holds for a connection: bytes not sent
// or not yet acknowledged (SIOCOUTQ). ok is false once it cannot tell
// (the socket is closed).
func unsent(c *net.TCPConn) (n int64, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var q int
	cerr := rc.Control(func(fd uintptr) {
		q, err = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	})
	if cerr != nil || err != nil {
		return 0, false
	}
	return int64(q), true
}
