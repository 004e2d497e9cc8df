package transfer

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// ackKnown: Windows 10 1703+ reports a connection's bytes out, in flight
// and retransmitted (SIO_TCP_INFO), from which the acknowledged count
// follows. Where the call fails, countingConn.acked falls back to bytes
// written and the watchdog to its rule for unknown acknowledgements.
const ackKnown = true

// sendfileSlice keeps the written count moving while TransmitFile works.
const sendfileSlice = 1 << 20

// sioTCPInfo is SIO_TCP_INFO, _WSAIORW(IOC_VENDOR, 39).
const sioTCPInfo = windows.IOC_INOUT | windows.IOC_VENDOR | 39

// tcpInfoV0 is TCP_INFO_v0 (mstcpip.h).
type tcpInfoV0 struct {
	State             int32
	Mss               uint32
	ConnectionTimeMs  uint64
	TimestampsEnabled uint8
	RttUs             uint32
	MinRttUs          uint32
	BytesInFlight     uint32
	Cwnd              uint32
	SndWnd            uint32
	RcvWnd            uint32
	RcvBuf            uint32
	BytesOut          uint64
	BytesIn           uint64
	BytesReordered    uint32
	BytesRetrans      uint32
	FastRetrans       uint32
	DupAcksIn         uint32
	TimeoutEpisodes   uint32
	SynRetrans        uint8
}

// peerAcked is bytes sent minus retransmissions minus bytes in flight.
func peerAcked(c *countingConn) (n int64, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var (
		info    tcpInfoV0
		version uint32 // TCP_INFO_v0
		got     uint32
	)
	cerr := rc.Control(func(fd uintptr) {
		err = windows.WSAIoctl(windows.Handle(fd), sioTCPInfo,
			(*byte)(unsafe.Pointer(&version)), uint32(unsafe.Sizeof(version)),
			(*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), &got, nil, 0)
	})
	if cerr != nil || err != nil {
		// Closed, or before Windows 10 1703: acked falls back to bytes
		// written, as on other systems.
		return 0, false
	}
	return max(int64(info.BytesOut)-int64(info.BytesRetrans)-int64(info.BytesInFlight), 0), true
}

// unacked is what was written and not yet acknowledged.
func unacked(c *countingConn) (n int64, ok bool) {
	acked, ok := peerAcked(c)
	if !ok {
		return 0, false
	}
	return c.written.Load() - acked, true
}

// notSent: this platform does not say what never left the machine.
func notSent(*countingConn) (int64, bool) { return 0, false }
