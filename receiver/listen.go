package receiver

import (
	"errors"
	"net"
	"syscall"

	"github.com/ferry-app/ferry/fault"
)

// wsaeaddrinuse is WSAEADDRINUSE; syscall.EADDRINUSE does not match it on Windows.
const wsaeaddrinuse = syscall.Errno(10048)

// listenError turns net.Listen failures into sentences for the CLI.
func listenError(addr string, err error) error {
	host, port, _ := net.SplitHostPort(addr)
	where := "on " + host
	if host == "" {
		where = "on all interfaces"
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, wsaeaddrinuse):
		return fault.Wrap(fault.CodeCannotListen, err, "Port %s %s is already in use; pick another with --listen.", port, where)
	case errors.Is(err, syscall.EACCES):
		return fault.Wrap(fault.CodeCannotListen, err, "Not allowed to listen on port %s %s (low ports need extra rights); pick another with --listen.", port, where)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fault.Wrap(fault.CodeCannotListen, err, "This machine has no address %s; pick another with --listen.", host)
	}
	return fault.Wrap(fault.CodeCannotListen, err, "Cannot listen on %s: %s.", addr, fault.Cause(err))
}
