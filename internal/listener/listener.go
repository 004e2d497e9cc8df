// Package listener keeps a server accepting when one connection fails.
//
// http.Server stops serving, for good, at the first accept error it does
// not take for temporary. Some such errors are about one connection only:
// a client gone before it was accepted (a Ferry killed mid-queue) fails
// AcceptEx with WSAENOTCONN under Wine, where Windows itself says
// ERROR_NETNAME_DELETED or WSAECONNRESET, which Go skips. A receiver must
// not stop for one client, so every error but the listener's own closing
// is retried; a lasting one is retried at a pace.
package listener

import (
	"errors"
	"net"
	"time"
)

// Steady returns ln whose Accept returns only a connection or, once ln
// is closed, net.ErrClosed. onError (nil: none) hears each error skipped.
func Steady(ln net.Listener, onError func(error)) net.Listener {
	return steady{ln, onError}
}

type steady struct {
	net.Listener
	onError func(error)
}

// Errors about one connection each come at most as many in a row as
// clients were waiting to be taken (a killed Ferry leaves a few), and are
// skipped at once; more in a row is a lasting error (out of file
// descriptors), whose retries are paced from firstPause, doubling to
// mostPause, as http.Server paces its temporary errors.
const (
	burst      = 1024
	firstPause = 5 * time.Millisecond
	mostPause  = time.Second
)

func (s steady) Accept() (net.Conn, error) {
	var pause time.Duration
	for n := 1; ; n++ {
		c, err := s.Listener.Accept()
		if err == nil || errors.Is(err, net.ErrClosed) {
			return c, err
		}
		if s.onError != nil {
			s.onError(err)
		}
		if n > burst {
			pause = min(max(2*pause, firstPause), mostPause)
			time.Sleep(pause)
		}
	}
}
