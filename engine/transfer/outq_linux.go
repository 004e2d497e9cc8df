package transfer

import (
	"net"

	"golang.org/x/sys/unix"
)

// ackKnown: on Linux the send queue can be read, so progress counts bytes
// the peer acknowledged, not bytes parked in kernel buffers.
const ackKnown = true

// unsent is what the kernel still holds for a connection: bytes not sent
// or not yet acknowledged (SIOCOUTQ).
func unsent(c *net.TCPConn) int64 {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	var n int
	rc.Control(func(fd uintptr) {
		n, err = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	})
	if err != nil {
		return 0
	}
	return int64(n)
}
