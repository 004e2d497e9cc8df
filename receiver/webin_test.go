package receiver

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// By default no web page may upload: any site the user visits could
// otherwise drop files into the receive folder.
func TestNoOriginMayUploadByDefault(t *testing.T) {
	dir := wine.TempDir(t)
	var l logs
	_, files := newTest(t, dir, &l)
	for _, origin := range []string{"https://evil.example", "null", "http://localhost:3000", "http://127.0.0.1"} {
		resp, _ := send(t, "OPTIONS", files, map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "tus-resumable,upload-length"}, nil)
		if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" || resp.StatusCode < 400 {
			t.Errorf("preflight from %s: %d, Access-Control-Allow-Origin %q", origin, resp.StatusCode, acao)
		}
		resp, body := send(t, "POST", files, map[string]string{"Origin": origin, "Upload-Length": "3"}, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "--allow-origin") {
			t.Errorf("POST from %s: %d %q", origin, resp.StatusCode, body)
		}
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("uploads were created: %q", w)
	}
	if !strings.Contains(strings.Join(l.get(), "\n"), `refused a request from 127.0.0.1: it came from the web page "https://evil.example"`) {
		t.Errorf("console: %q", l.get())
	}
}

// An allowed origin can upload from a browser; others, and "null", still
// cannot.
func TestAllowedOriginOnly(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, AllowOrigins: []string{"https://app.example.com"}})
	resp, _ := send(t, "OPTIONS", files, map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}, nil)
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.StatusCode != http.StatusOK {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = send(t, "POST", files, map[string]string{"Origin": "https://app.example.com", "Upload-Length": "0", "Upload-Metadata": meta("filename", "ok.txt")}, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST from the allowed origin: %d", resp.StatusCode)
	}
	for _, origin := range []string{"null", "https://app.example.com.evil.example", "http://app.example.com", "https://evil.example"} {
		if resp, _ := send(t, "POST", files, map[string]string{"Origin": origin, "Upload-Length": "0"}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST from %s: %d", origin, resp.StatusCode)
		}
	}
	if _, err := New(Config{Dir: dir, AllowOrigins: []string{"null"}}); err == nil {
		t.Fatal(`New accepted the origin "null"`)
	}
}

// DNS rebinding: a web page's own name, pointed at 127.0.0.1, reaches the
// receiver with that name in the Host header.
func TestHostMustNameTheReceiver(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	u, _ := url.Parse(files)
	_, port, _ := net.SplitHostPort(u.Host)
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.evil.example", "localhost.evil.example", "192.0.2.55:" + port} {
		resp, _ := send(t, "POST", files, map[string]string{"Host": host, "Upload-Length": "0"}, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %q: %d", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"localhost:" + port, "LOCALHOST", "127.0.0.1:" + port, "127.1.2.3", "[::1]:" + port, "localhost.:" + port} {
		resp, _ := send(t, "POST", files, map[string]string{"Host": host, "Upload-Length": "0"}, nil)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("Host %q: %d", host, resp.StatusCode)
		}
	}
	// HTTP/1.0 without a Host header at all.
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST /files/ HTTP/1.0\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 0\r\n\r\n"))
	status := make([]byte, 12)
	io.ReadFull(c, status)
	if string(status) != "HTTP/1.0 403" {
		t.Errorf("no Host: %q", status)
	}
	if n := len(visible(t, dir)); n != 6 {
		t.Fatalf("%d files", n)
	}
}

// startLAN starts a receiver on all interfaces with a token. The test talks
// to it over loopback only, naming the LAN address in the Host header.
func startLAN(t *testing.T, dir, token string) (*Server, string) {
	t.Helper()
	s, err := New(Config{Dir: dir, Listen: "0.0.0.0:0", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s, s.LocalURL()
}

func TestLANListenerNeedsToken(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0"} {
		_, err := New(Config{Dir: wine.TempDir(t), Listen: listen})
		if err == nil || !strings.Contains(err.Error(), "token") {
			t.Errorf("New on %s without a token: %v", listen, err)
		}
	}
	dir := wine.TempDir(t)
	s, local := startLAN(t, dir, "s3cret-token")
	lanURL, _ := url.Parse(s.URL())
	if ip := net.ParseIP(lanURL.Hostname()); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		t.Fatalf("URL for other machines is %s", s.URL())
	}
	_, port, _ := net.SplitHostPort(lanURL.Host)
	if !strings.HasSuffix(local, ":"+port+"/files/") {
		t.Fatalf("LocalURL %s, URL %s", local, s.URL())
	}
	for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0LXRva2Vu", "Bearer s3cret-toke", "s3cret-token"} {
		resp, body := send(t, "POST", local, map[string]string{"Authorization": auth, "Upload-Length": "0"}, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Authorization: Bearer") {
			t.Errorf("Authorization %q: %d %q", auth, resp.StatusCode, body)
		}
	}
	for _, m := range []string{"HEAD", "PATCH", "DELETE"} {
		if resp, _ := send(t, m, local+"0123456789abcdef0123456789abcdef", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without token: %d", m, resp.StatusCode)
		}
	}
	hdr := map[string]string{"Authorization": "Bearer s3cret-token", "Upload-Length": "0", "Upload-Metadata": meta("filename", "lan.txt")}
	if resp, _ := send(t, "POST", local, hdr, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	// As another machine would name it, if this machine has a LAN address.
	if lanURL.Hostname() != "127.0.0.1" {
		hdr["Host"] = lanURL.Host
		if resp, _ := send(t, "POST", local, hdr, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("Host %s: %d", lanURL.Host, resp.StatusCode)
		}
	}
	hdr["Host"] = "evil.example:" + port
	if resp, _ := send(t, "POST", local, hdr, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("rebinding Host with the token: %d", resp.StatusCode)
	}
	time.Sleep(10 * time.Millisecond)
}
