package listener

import (
	"errors"
	"net"
	"testing"
)

// script is a listener that answers Accept from a list of errors, then
// with a connection, then as closed.
type script struct {
	net.Listener
	errs  []error
	conn  net.Conn
	calls int
}

func (s *script) Accept() (net.Conn, error) {
	s.calls++
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return nil, err
	}
	if s.conn != nil {
		c := s.conn
		s.conn = nil
		return c, nil
	}
	return nil, net.ErrClosed
}

func TestOneConnectionsErrorIsSkipped(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	gone := errors.New("acceptex: winapi error #10057")
	sc := &script{errs: []error{gone, gone, gone}, conn: a}
	var heard []error
	ln := Steady(sc, func(err error) { heard = append(heard, err) })
	c, err := ln.Accept()
	if err != nil || c != a {
		t.Fatalf("Accept: %v, %v; want the connection after the errors", c, err)
	}
	if len(heard) != 3 || heard[0] != gone {
		t.Fatalf("onError heard %v; want the 3 errors", heard)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on a closed listener: %v; want net.ErrClosed", err)
	}
	if sc.calls != 5 {
		t.Fatalf("%d accepts; want 5, none after closing", sc.calls)
	}
}

// More errors in a row than one connection each could give are retried
// at a pace, and the connection after them still comes.
func TestLastingErrorIsRetried(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	sc := &script{errs: make([]error, burst+3), conn: a}
	for i := range sc.errs {
		sc.errs[i] = errors.New("too many open files")
	}
	if c, err := Steady(sc, nil).Accept(); err != nil || c != a {
		t.Fatalf("Accept: %v, %v; want the connection after the errors", c, err)
	}
}

// A real listener, closed while Accept waits, ends the wait.
func TestCloseEndsAccept(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Steady(tcp, nil)
	done := make(chan error)
	go func() {
		_, err := ln.Accept()
		done <- err
	}()
	ln.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v; want net.ErrClosed", err)
	}
}
