package app

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// served is a running "ferry serve" and what it printed.
type served struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	url  string // the Upload URL line
	done chan struct{}
}

func (s *served) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// runServe runs ferry serve and waits until it says it is ready.
func runServe(t *testing.T, args ...string) *served {
	t.Helper()
	s := &served{cmd: exec.Command(ferryBin, append([]string{"serve"}, args...)...), done: make(chan struct{})}
	ownConsole(s.cmd)
	pr, pw := io.Pipe()
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			if u, ok := strings.CutPrefix(sc.Text(), "Upload URL: "); ok {
				s.url = u
			}
			s.mu.Unlock()
			if sc.Text() == "Press Ctrl-C to stop." {
				close(ready)
			}
		}
	}()
	go func() { s.cmd.Wait(); pw.Close(); close(s.done) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	select {
	case <-ready:
	case <-s.done:
		t.Fatalf("ferry serve exited: %s", s.output())
	case <-time.After(10 * time.Second):
		t.Fatalf("ferry serve not ready: %s", s.output())
	}
	return s
}

// local is the serve URL reached over loopback (the printed one may be a
// LAN address, which tests never send to).
func (s *served) local(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + u.Port() + "/files/"
}

func rawTus(t *testing.T, method, u string, hdr map[string]string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Ctrl-C or the system's stop (SIGTERM) with an upload running: out within
// a second, 130 or 0, no "context deadline exceeded"; the upload resumes
// after a restart.
func TestServeStopsQuicklyAndResumes(t *testing.T) {
	ctrlC := func(t *testing.T, cmd *exec.Cmd) int { interrupt(t, cmd); return exitInterrupted }
	for sig, ask := range map[string]func(*testing.T, *exec.Cmd) int{"Ctrl-C": ctrlC, "stop": stop} {
		dir := wine.TempDir(t)
		s := runServe(t, "--listen", "127.0.0.1:0", "--dir", dir)
		resp := rawTus(t, "POST", s.url, map[string]string{"Upload-Length": strconv.Itoa(3 << 20), "Upload-Metadata": "filename YmlnLmJpbg=="}, nil)
		loc := resp.Header.Get("Location")
		id := loc[strings.LastIndex(loc, "/")+1:]
		pr, pw := io.Pipe()
		go func() {
			req, _ := http.NewRequest("PATCH", loc, pr)
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("Upload-Offset", "0")
			req.Header.Set("Content-Type", "application/offset+octet-stream")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		chunk := bytes.Repeat([]byte{7}, 1<<20)
		pw.Write(chunk)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if st, err := os.Stat(filepath.Join(dir, ".ferry-incoming", id)); err == nil && st.Size() == 1<<20 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the upload did not start")
			}
		}
		start := time.Now()
		want := ask(t, s.cmd)
		select {
		case <-s.done:
		case <-time.After(3 * time.Second):
			t.Fatalf("%v: still running after 3 s", sig)
		}
		took := time.Since(start)
		pw.CloseWithError(io.ErrUnexpectedEOF)
		if code := s.cmd.ProcessState.ExitCode(); code != want || took > time.Second {
			t.Errorf("%v: exit %d after %v, want %d within 1 s", sig, code, took, want)
		}
		if out := s.output(); strings.Contains(out, "deadline") || strings.Contains(out, "ferry:") {
			t.Errorf("%v: output %s", sig, out)
		}

		s2 := runServe(t, "--listen", "127.0.0.1:0", "--dir", dir)
		loc2 := s2.url + id
		if resp := rawTus(t, "HEAD", loc2, nil, nil); resp.Header.Get("Upload-Offset") != strconv.Itoa(1<<20) {
			t.Fatalf("after restart: %d offset %q", resp.StatusCode, resp.Header.Get("Upload-Offset"))
		}
		rest := bytes.Repeat([]byte{7}, 2<<20)
		resp = rawTus(t, "PATCH", loc2, map[string]string{"Upload-Offset": strconv.Itoa(1 << 20), "Content-Type": "application/offset+octet-stream"}, bytes.NewReader(rest))
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("resume: %d", resp.StatusCode)
		}
		if st, err := os.Stat(filepath.Join(dir, "big.bin")); err != nil || st.Size() != 3<<20 {
			t.Fatalf("big.bin: %v", err)
		}
		stop(t, s2.cmd)
		<-s2.done
	}
}

// On the LAN: a warning, the LAN URL, and a token made once, printed once,
// kept in the data dir, and required.
func TestServeOnLANWarnsAndNeedsToken(t *testing.T) {
	dir, data := wine.TempDir(t), wine.TempDir(t)
	s := runServe(t, "--listen", "0.0.0.0:0", "--dir", dir, "--data-dir", data)
	out := s.output()
	if !strings.Contains(out, "Warning: listening on 0.0.0.0:0, so other machines on your network can send files here") {
		t.Fatalf("no warning:\n%s", out)
	}
	u, _ := url.Parse(s.url)
	if ip := net.ParseIP(u.Hostname()); ip == nil || ((ip.IsLoopback() || ip.IsUnspecified()) && hasLANAddress()) {
		t.Fatalf("Upload URL for other machines: %s", s.url)
	}
	tokPath := filepath.Join(data, "serve-token")
	b, err := os.ReadFile(tokPath)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(b))
	// (Windows keeps it private by the data dir's access list, which no
	// mode shows.)
	if st, _ := os.Stat(tokPath); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", st.Mode().Perm())
	}
	if !strings.Contains(out, "Token (shown once; kept in "+tokPath+"): "+tok+"\n") || len(tok) < 20 {
		t.Fatalf("token not shown:\n%s", out)
	}
	// How to send, with the token from a file: never on a command line,
	// where ps shows it.
	if !strings.Contains(out, "dest add this-receiver --kind ferry --url "+s.url+" --token-stdin < ferry-token") {
		t.Fatalf("no client command:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, tok) && !strings.HasPrefix(line, "Token (shown once") {
			t.Fatalf("the token shows in %q", line)
		}
	}
	local := s.local(t)
	if resp := rawTus(t, "POST", local, map[string]string{"Upload-Length": "0"}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", resp.StatusCode)
	}
	if resp := rawTus(t, "POST", local, map[string]string{"Upload-Length": "0", "Authorization": "Bearer " + tok}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	if !strings.Contains(s.output(), "refused a request from 127.0.0.1: it did not carry the token") {
		t.Errorf("console:\n%s", s.output())
	}
	stop(t, s.cmd)
	<-s.done

	// Started again: the same token, not printed again.
	s = runServe(t, "--listen", "0.0.0.0:0", "--dir", dir, "--data-dir", data)
	if out := s.output(); strings.Contains(out, tok) || !strings.Contains(out, "Token: in "+tokPath) {
		t.Fatalf("second start:\n%s", out)
	}
	if resp := rawTus(t, "POST", s.local(t), map[string]string{"Upload-Length": "0", "Authorization": "Bearer " + tok}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("kept token: %d", resp.StatusCode)
	}
}

func hasLANAddress() bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() && !n.IP.IsLoopback() {
			return true
		}
	}
	return false
}

func TestServeTokenFile(t *testing.T) {
	const own = "my-own-token-of-thirty-two-chars"
	tokFile := filepath.Join(wine.TempDir(t), "tok")
	os.WriteFile(tokFile, []byte(own+"\n"), 0o600)
	s := runServe(t, "--listen", "127.0.0.1:0", "--dir", wine.TempDir(t), "--token-file", tokFile)
	if strings.Contains(s.output(), own) {
		t.Fatalf("printed the token:\n%s", s.output())
	}
	if resp := rawTus(t, "POST", s.url, map[string]string{"Upload-Length": "0"}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", resp.StatusCode)
	}
	if resp := rawTus(t, "POST", s.url, map[string]string{"Upload-Length": "0", "Authorization": "Bearer " + own}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	refused := map[string]string{
		"  \n":                   "must hold one token",
		"x\n":                    "The token in " + tokFile + " is 1 characters; a token needs at least 22 (128 bits of randomness)",
		"short-but-not-enough\n": "is 20 characters",
		"ééééééééééé\n":          "is 11 characters", // 22 bytes
	}
	for content, want := range refused {
		os.WriteFile(tokFile, []byte(content), 0o600)
		if r := ferry(t, "serve", "--dir", wine.TempDir(t), "--token-file", tokFile); r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Fatalf("token file %q: exit %d %q", content, r.code, r.stderr)
		}
	}
	if runtime.GOOS != "windows" { // there the data dir's access list keeps it private
		os.WriteFile(tokFile, []byte(own+"\n"), 0o600)
		os.Chmod(tokFile, 0o644)
		if r := ferry(t, "serve", "--dir", wine.TempDir(t), "--token-file", tokFile); r.code == 0 || !strings.Contains(r.stderr, "can be read by other users (mode 0644); make it yours alone: chmod 600") {
			t.Fatalf("a token file others can read: exit %d %q", r.code, r.stderr)
		}
	}
}

func TestServeOriginsSizeAndExpiry(t *testing.T) {
	dir := wine.TempDir(t)
	s := runServe(t, "--listen", "127.0.0.1:0", "--dir", dir, "--allow-origin", "https://app.example.com", "--max-size", "1KB", "--expire-idle", "1s")
	pre := func(origin string) *http.Response {
		return rawTus(t, "OPTIONS", s.url, map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"}, nil)
	}
	if resp := pre("https://app.example.com"); resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.Header.Get("Tus-Max-Size") != "1000" {
		t.Fatalf("allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := pre("https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("other origin: %d", resp.StatusCode)
	}
	if resp := rawTus(t, "POST", s.url, map[string]string{"Upload-Length": "1001"}, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("over --max-size: %d", resp.StatusCode)
	}
	resp := rawTus(t, "POST", s.url, map[string]string{"Upload-Length": "100", "Upload-Metadata": "filename aWRsZS50eHQ="}, nil)
	if resp.Header.Get("Upload-Expires") == "" {
		t.Fatalf("no Upload-Expires: %v", resp.Header)
	}
	loc := resp.Header.Get("Location")
	for deadline := time.Now().Add(5 * time.Second); rawTus(t, "HEAD", loc, nil, nil).StatusCode != http.StatusNotFound; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("idle upload not removed:\n%s", s.output())
		}
	}
	if !strings.Contains(s.output(), "removed idle.txt: idle for over 1s") {
		t.Fatalf("console:\n%s", s.output())
	}
	if r := ferry(t, "serve", "--dir", wine.TempDir(t), "--allow-origin", "null"); r.code == 0 || !strings.Contains(r.stderr, `"null" is never allowed`) {
		t.Fatalf("--allow-origin null: exit %d %q", r.code, r.stderr)
	}
}

func TestServeRefusesSymlinkedWorkFolder(t *testing.T) {
	dir, elsewhere := wine.TempDir(t), wine.TempDir(t)
	link := filepath.Join(dir, ".ferry-incoming")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Skipf("cannot make links here (Windows without developer mode): %v", err)
	}
	if _, err := os.Lstat(link); err != nil {
		wine.Skip(t, "it says a symbolic link was made, and none is there")
	}
	r := ferry(t, "serve", "--listen", "127.0.0.1:0", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "is a symbolic link; Ferry does not follow it") {
		t.Fatalf("exit %d: %q", r.code, r.stderr)
	}
}
