package transfer

import "golang.org/x/sys/unix"

// ackKnown: macOS says how many bytes still sit in the socket's send
// buffer (sent but unacknowledged, or not sent yet), so what is written
// and no longer buffered reached the server.
const ackKnown = true

// sendfileSlice keeps the written count moving while sendfile works.
const sendfileSlice = 1 << 20

// peerAcked is bytes written minus those still in the send buffer
// (TCP_CONNECTION_INFO tcpi_snd_sbbytes).
func peerAcked(c *countingConn) (n int64, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	written := c.written.Load()
	var info *unix.TCPConnectionInfo
	cerr := rc.Control(func(fd uintptr) {
		info, err = unix.GetsockoptTCPConnectionInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_CONNECTION_INFO)
	})
	if cerr != nil || err != nil {
		return 0, false
	}
	return max(written-int64(info.Snd_sbbytes), 0), true
}

// unacked is what the send buffer holds, sent or not.
func unacked(c *countingConn) (n int64, ok bool) {
	acked, ok := peerAcked(c)
	if !ok {
		return 0, false
	}
	return c.written.Load() - acked, true
}

// notSent: this platform does not say what never left the machine.
func notSent(*countingConn) (int64, bool) { return 0, false }
