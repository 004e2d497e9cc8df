package transfer

import "golang.org/x/sys/unix"

// ackKnown: on Linux the kernel says how many bytes the peer acknowledged,
// so progress is bytes that reached the server, not bytes parked in
// buffers, and it moves while sendfile is still busy with a slice.
const ackKnown = true

// sendfileSlice: progress does not depend on it here, but the bound on
// what a server can hold (gate.offered) counts a slice before it goes:
// 1 MiB keeps that bound close, at a syscall per MiB.
const sendfileSlice = 1 << 20

// peerAcked is the connection's count of bytes the peer acknowledged
// (TCP_INFO tcpi_bytes_acked; counts from 1 for the SYN). ok is false once
// the kernel cannot tell (the socket is closed).
func peerAcked(c *countingConn) (n int64, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var info *unix.TCPInfo
	cerr := rc.Control(func(fd uintptr) {
		info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	})
	if cerr != nil || err != nil {
		return 0, false
	}
	return int64(info.Bytes_acked), true
}

// unacked is what the socket holds that the peer has not acknowledged,
// sent or not (SIOCOUTQ).
func unacked(c *countingConn) (n int64, ok bool) {
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

// notSent is what the socket holds that never left this machine
// (SIOCOUTQNSD): bytes a peer cannot have, whatever it claims.
func notSent(c *countingConn) (n int64, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var q int
	cerr := rc.Control(func(fd uintptr) {
		q, err = unix.IoctlGetInt(int(fd), unix.SIOCOUTQNSD)
	})
	if cerr != nil || err != nil {
		return 0, false
	}
	return int64(q), true
}
