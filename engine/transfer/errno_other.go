//go:build !windows

package transfer

import (
	"errors"
	"syscall"
)

// Socket errors by meaning. Windows has its own WSA numbers for them
// (errno_windows.go), which errors.Is does not equate with these.

func connRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func connDropped(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

func netUnreachable(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

func timedOut(err error) bool { return errors.Is(err, syscall.ETIMEDOUT) }
