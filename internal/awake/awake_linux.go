package awake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
)

// timeout bounds connecting to the bus and logind's answer: without a
// system bus (a container) Hold must fail quickly, not hang the caller.
const timeout = 2 * time.Second

// platform holds a logind inhibitor lock: logind keeps it while the file
// descriptor it handed out stays open, so the bus connection can go.
type platform struct {
	bus func(context.Context) (*dbus.Conn, error) // nil: the system bus
	fd  *os.File
}

func systemBus(ctx context.Context) (*dbus.Conn, error) {
	return dbus.ConnectSystemBus(dbus.WithContext(ctx))
}

func (p *platform) take(app, reason string) error {
	bus := p.bus
	if bus == nil {
		bus = systemBus
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// The connection closes when ctx ends, which also unblocks a
	// connect that a silent bus would leave waiting in its handshake.
	conn, err := bus(ctx)
	if err != nil {
		return fmt.Errorf("Cannot keep the computer awake: logind is not reachable over D-Bus (%w)", err)
	}
	defer conn.Close()
	call := conn.Object("org.freedesktop.login1", "/org/freedesktop/login1").CallWithContext(ctx,
		"org.freedesktop.login1.Manager.Inhibit", 0, "sleep:idle", app, reason, "block")
	if call.Err != nil {
		if errors.Is(call.Err, context.DeadlineExceeded) {
			return fmt.Errorf("Cannot keep the computer awake: logind did not answer within %v (%w)", timeout, call.Err)
		}
		return fmt.Errorf("Cannot keep the computer awake: logind refused to hold off sleep (%w)", call.Err)
	}
	fd, ok := inhibitFD(call.Body)
	if !ok {
		return fmt.Errorf("Cannot keep the computer awake: logind answered %v instead of a file descriptor", call.Body)
	}
	p.fd = os.NewFile(uintptr(fd), "logind inhibitor")
	return nil
}

// inhibitFD takes the one descriptor of logind's answer; any other
// answer has its descriptors closed, so a malformed one leaks nothing.
func inhibitFD(body []any) (dbus.UnixFD, bool) {
	if len(body) == 1 {
		if fd, ok := body[0].(dbus.UnixFD); ok {
			return fd, true
		}
	}
	for _, v := range body {
		if fd, ok := v.(dbus.UnixFD); ok {
			os.NewFile(uintptr(fd), "").Close()
		}
	}
	return -1, false
}

func (p *platform) release() error {
	if p.fd == nil {
		return nil
	}
	err := p.fd.Close()
	p.fd = nil
	if err != nil {
		return fmt.Errorf("Could not let the computer sleep again: closing logind's inhibitor failed (%w)", err)
	}
	return nil
}

func (p *platform) close() {}
