//go:build !linux && !darwin && !windows

package transfer

// ackKnown: elsewhere progress counts bytes handed to the kernel.
const ackKnown = false

// sendfileSlice is how much of a file one sendfile call may send before
// the byte count moves: small enough for smooth progress on a slow link.
const sendfileSlice = 256 << 10

func peerAcked(*countingConn) (int64, bool) { return 0, false }

func unacked(*countingConn) (int64, bool) { return 0, false }

// notSent: this platform does not say what never left the machine.
func notSent(*countingConn) (int64, bool) { return 0, false }
