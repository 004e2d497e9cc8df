package receiver

import (
	"errors"
	"fmt"
	"net"
	"syscall"
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
		return fmt.Errorf("Port %s %s is already in use; pick another with --listen", port, where)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("Not allowed to listen on port %s %s (low ports need extra rights); pick another with --listen", port, where)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("This machine has no address %s; pick another with --listen", host)
	}
	return fmt.Errorf("Cannot listen on %s: %v", addr, err)
}
