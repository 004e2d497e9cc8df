package receiver

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// TestClientGoneBeforeAcceptedStopsNothing: a client killed while its
// connection waits to be accepted (Ferry killed mid-queue) fails that
// one accept: under Wine with WSAENOTCONN, which Go does not skip as it
// skips Windows' own words for it. The receiver keeps answering others.
func TestClientGoneBeforeAcceptedStopsNothing(t *testing.T) {
	s, err := New(Config{Dir: wine.TempDir(t), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	addr := s.ln.Addr().String()
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("the receiver stopped accepting: %v", err)
		}
		c.(*net.TCPConn).SetLinger(0) // close with a reset, as a killed process's socket is
		c.Close()
	}
	cl := &http.Client{Timeout: 10 * time.Second}
	res, err := cl.Head(s.LocalURL())
	if err != nil {
		t.Fatalf("the receiver stopped answering after clients left unaccepted: %v", err)
	}
	res.Body.Close()
}
