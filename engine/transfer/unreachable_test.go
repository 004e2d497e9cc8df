package transfer

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/fault"
)

// TestNeverAnsweredFailsWithASentence: a destination that never answered
// and whose URL cannot work fails at once instead of retrying forever.
func TestNeverAnsweredFailsWithASentence(t *testing.T) {
	srv := tustest.New(t)
	plain, _ := url.Parse(srv.DirectURL)
	untrusted := httptest.NewUnstartedServer(frontHandler(t, srv, nil))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	refused := closedPort(t)

	cases := []struct {
		name, endpoint string
		header         http.Header
		kind           fault.Kind
		code           fault.Code
		says           string
	}{
		{"no such host", "http://nonexistent.invalid/files/", nil, fault.Permanent, fault.CodeUnreachable, "does not exist"},
		{"TLS to a plain port", "https://" + plain.Host + "/files/", nil, fault.Permanent, fault.CodeUnreachable, "does not speak TLS"},
		{"untrusted certificate", untrusted.URL + "/files/", nil, fault.Permanent, fault.CodeUnreachable, "not trusted"},
		{"line break in a header", srv.DirectURL, http.Header{"Authorization": {"Bearer abc\r\nX-Evil: 1"}}, fault.Permanent, fault.CodeBadURL, "header"},
		{"not started yet", "http://" + refused + "/files/", nil, fault.Transient, fault.CodeUnreachable, "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			_, err := c.Create(ctx(t), Target{Endpoint: tc.endpoint, Header: tc.header}, 10)
			if fault.KindOf(err) != tc.kind || fault.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v (kind %d, %q); want kind %d, %q, saying %q", err, fault.KindOf(err), fault.CodeOf(err), tc.kind, tc.code, tc.says)
			}
		})
	}
	if srv.Created() != 0 {
		t.Fatalf("%d uploads created", srv.Created())
	}
}

// TestAnsweredOriginStaysTransient: once an origin has answered, the same
// errors mid-upload are a link gone bad (a laptop offline, a captive
// portal), to be retried.
func TestAnsweredOriginStaysTransient(t *testing.T) {
	srv := tustest.New(t, tustest.WithTusdConfig(func(c *handler.Config) { c.RespectForwardedHeaders = true }))
	secure := httptest.NewTLSServer(frontHandler(t, srv, nil))
	t.Cleanup(secure.Close)
	plain, _ := url.Parse(srv.DirectURL)
	sw := newSwitch(t, strings.TrimPrefix(secure.URL, "https://"))
	tg := Target{Endpoint: "https://" + sw.addr + "/files/"}

	trusting := func() *Client {
		c := newClient(t)
		pool := x509.NewCertPool()
		pool.AddCert(secure.Certificate())
		c.HTTP.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool}
		return c
	}
	const size = 1 << 20
	path, sha := tustest.RandomFile(t, "", "d.bin", size, 7)
	c := trusting()
	cr, err := c.Create(ctx(t), tg, size)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cr.URL, tg.Endpoint) {
		t.Fatalf("upload URL %s", cr.URL)
	}

	sw.to(plain.Host) // the address now speaks plain HTTP
	c.HTTP.CloseIdleConnections()
	_, err = c.Send(ctx(t), tg, cr.URL, path, 0, size, &progress{}, nil)
	if fault.KindOf(err) != fault.Transient || fault.CodeOf(err) != fault.CodeNetwork {
		t.Fatalf("after an answer: %v (kind %d, %q); want transient", err, fault.KindOf(err), fault.CodeOf(err))
	}
	if _, err := trusting().Create(ctx(t), tg, size); fault.KindOf(err) != fault.Permanent || fault.CodeOf(err) != fault.CodeUnreachable {
		t.Fatalf("a new process that never had an answer: %v (kind %d); want permanent", err, fault.KindOf(err))
	}

	sw.to(strings.TrimPrefix(secure.URL, "https://")) // back online
	off, _, err := c.Offset(ctx(t), tg, cr.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, path, off, size, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	stored(t, srv, cr.URL, sha)
	if srv.Created() != 1 {
		t.Fatalf("%d uploads", srv.Created())
	}

	// A host name that stops resolving is the same story.
	_, dnsErr := net.LookupHost("nonexistent.invalid")
	if e := classify(dnsErr, "h", "http://h/", true); e.Kind != fault.Transient {
		t.Fatalf("DNS after an answer: %v kind %d", e, e.Kind)
	}
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// tcpSwitch forwards connections to whichever address it is set to.
type tcpSwitch struct {
	addr   string
	target atomic.Value
	wg     sync.WaitGroup
}

func newSwitch(t *testing.T, target string) *tcpSwitch {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tcpSwitch{addr: ln.Addr().String()}
	s.to(target)
	var mu sync.Mutex
	var conns []net.Conn
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", s.target.Load().(string))
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			s.wg.Add(2)
			go func() { defer s.wg.Done(); io.Copy(up, c); up.Close() }()
			go func() { defer s.wg.Done(); io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *tcpSwitch) to(target string) { s.target.Store(target) }
