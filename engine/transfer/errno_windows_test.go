package transfer

import (
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
)

// TestWinsockErrorsAreNamed: Winsock's own numbers, which errors.Is does
// not equate with syscall's ECONNRESET and friends, get the same codes and
// sentences.
func TestWinsockErrorsAreNamed(t *testing.T) {
	op := func(errno windows.Errno) error {
		return &url.Error{Op: "Patch", URL: "http://h/files/x", Err: &net.OpError{Op: "wsasend", Net: "tcp", Err: os.NewSyscallError("wsasend", errno)}}
	}
	cases := []struct {
		errno windows.Errno
		code  fault.Code
		says  string
	}{
		{windows.WSAECONNRESET, fault.CodeNetwork, "dropped"},
		{windows.WSAECONNABORTED, fault.CodeNetwork, "dropped"},
		{windows.WSAECONNREFUSED, fault.CodeUnreachable, "connection refused"},
		{windows.WSAENETUNREACH, fault.CodeNetwork, "no route"},
		{windows.WSAEHOSTUNREACH, fault.CodeNetwork, "no route"},
		{windows.WSAETIMEDOUT, fault.CodeNetwork, "timed out"},
	}
	for _, c := range cases {
		err := op(c.errno)
		e := classify(err, "h", "http://h/files/x", true)
		if e.Kind != fault.Transient || e.Code != c.code || !strings.Contains(e.Msg, c.says) || !errors.Is(e, c.errno) {
			t.Errorf("%v: kind %d %q %q; want transient, %q, %q", c.errno, e.Kind, e.Code, e.Msg, c.code, c.says)
		}
	}
}

// TestRealResetIsADroppedLink: a server that resets the connection in the
// middle of a PATCH (what a NAT or a proxy does) gives Winsock's
// WSAECONNRESET or WSAECONNABORTED from a real socket, which is the
// transient "dropped" link, never an unclassified error.
func TestRealResetIsADroppedLink(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.CopyN(io.Discard, c, 256<<10)
				c.(*net.TCPConn).SetLinger(0) // close with RST
				c.Close()
			}()
		}
	}()
	const size = 8 << 20
	path, _ := tustest.RandomFile(t, "", "reset.bin", size, 5)
	upload := "http://" + ln.Addr().String() + "/files/x"
	_, err = newClient(t).Send(ctx(t), Target{Endpoint: "http://" + ln.Addr().String() + "/files/"}, upload, path, 0, size, &progress{}, nil)
	if !errors.Is(err, windows.WSAECONNRESET) && !errors.Is(err, windows.WSAECONNABORTED) {
		t.Fatalf("%v: the cause is not Winsock's reset (%#v)", err, errors.Unwrap(err))
	}
	if fault.KindOf(err) != fault.Transient || fault.CodeOf(err) != fault.CodeNetwork || !strings.Contains(err.Error(), "dropped") {
		t.Fatalf("%v (kind %d, %q); want a transient dropped link", err, fault.KindOf(err), fault.CodeOf(err))
	}
}
