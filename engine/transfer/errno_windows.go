package transfer

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// Socket errors by meaning. Winsock reports WSAE* numbers, which
// errors.Is does not equate with syscall's ECONNRESET and friends.

func connRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, syscall.ECONNREFUSED)
}

func connDropped(err error) bool {
	return errors.Is(err, windows.WSAECONNRESET) || errors.Is(err, windows.WSAECONNABORTED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

func netUnreachable(err error) bool {
	return errors.Is(err, windows.WSAENETUNREACH) || errors.Is(err, windows.WSAEHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

func timedOut(err error) bool {
	return errors.Is(err, windows.WSAETIMEDOUT) || errors.Is(err, syscall.ETIMEDOUT)
}
