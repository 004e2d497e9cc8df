package crash

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct {
		in      string
		gone    []string // must not be in the output
		kept    []string // must be
		unmoved bool     // the output is the input
	}{
		{in: "PUT http://user:PWX@host/files/?token=QTX&x=1 failed", gone: []string{"PWX", "QTX"}, kept: []string{"host/files/", "x=1", " failed"}},
		{in: `Patch "https://u:PW1@up.example/f?sig=S1&sid=S2&n=2": EOF`, gone: []string{"PW1", "S1", "S2"}, kept: []string{"n=2", `": EOF`}},
		{in: "https://x.example/a?X-Amz-Signature=ZZ9&X-Amz-Credential=CC9&part=1", gone: []string{"ZZ9", "CC9"}, kept: []string{"part=1"}},
		{in: "http://u:PW%zz@host/ (not a URL url.Parse takes)", gone: []string{"PW%zz"}, kept: []string{"@host/"}},
		{in: "Authorization: Bearer SECRETX\nnext line", gone: []string{"SECRETX"}, kept: []string{"Authorization: REDACTED\nnext line"}},
		{in: "sent Bearer SECRETX to the server", gone: []string{"SECRETX"}, kept: []string{"Bearer REDACTED to the server"}},
		{in: "map[Authorization:[Basic dXNlcjpwYXNz] Tus-Resumable:[1.0.0]]", gone: []string{"dXNlcjpwYXNz"}},
		{in: "map[Tus-Resumable:[1.0.0] X-Api-Key:[k3yV4lue]]", gone: []string{"k3yV4lue"}, kept: []string{"Tus-Resumable:[1.0.0]"}},
		{in: "Cookie: session=abc; theme=dark", gone: []string{"abc", "dark"}},
		{in: `{"access_token":"tok.en","user":"ana"}`, gone: []string{"tok.en"}, kept: []string{`"user":"ana"`}},
		{in: "api_key=K3Y jwt=J1 hmac=H1 password=P1 pass=P2 private_key=P3", gone: []string{"K3Y", "J1", "H1", "P1", "P2", "P3"}},
		{in: "{Name:cf Token:abc123 Chunk:5}", gone: []string{"abc123"}, kept: []string{"Name:cf", "Chunk:5"}},
		{in: "token: 8f14e45fceea167a5a36dedd4bea2543", gone: []string{"8f14e45fceea167a5a36dedd4bea2543"}},
		{in: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", gone: []string{"eyJ"}},
		{in: "id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in a message", gone: []string{"eyJ"}, kept: []string{"in a message"}},
		// What is not a secret stays as it was.
		{in: "Basic authentication is not offered", unmoved: true},
		{in: "keychain: item not found", unmoved: true},
		{in: "\t/home/ana/ferry/keychain/keychain.go:45 +0x1d", unmoved: true},
		{in: "\t/root/go/pkg/mod/github.com/zalando/go-keyring@v0.2.8/keyring_unix.go:123 +0x2a", unmoved: true},
		{in: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]", unmoved: true},
		{in: "SIGQUIT: quit\nPC=0x46f4a1 m=0 sigcode=0", unmoved: true},
		{in: "inside=3 design=4 passage", unmoved: true},
		{in: "goroutine 7 [running]:\nmain.f(0xc000012345, {0x5, 0x6})", unmoved: true},
		{in: "http://127.0.0.1:1080/files/abc?x=1", unmoved: true},
	} {
		for _, engineLike := range []func(string) string{nil, replaceUserinfo} {
			out := redactWith(c.in, engineLike)
			if c.unmoved && out != c.in {
				t.Errorf("Redact(%q) = %q; want it unchanged", c.in, out)
			}
			for _, g := range c.gone {
				if strings.Contains(out, g) {
					t.Errorf("Redact(%q) = %q; still has %q", c.in, out, g)
				}
			}
			for _, k := range c.kept {
				if !strings.Contains(out, k) {
					t.Errorf("Redact(%q) = %q; lost %q", c.in, out, k)
				}
			}
		}
	}
}

// replaceUserinfo stands in for dest.RedactURL, which the app passes:
// whatever it does, the report's own rules still apply.
func replaceUserinfo(u string) string { return strings.Replace(u, "user:", "someone:", 1) }

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"token": true, "access_token": true, "X-Api-Key": true, "sig": true, "sid": true, "X-Amz-Signature": true,
		"password": true, "passwd": true, "jwt": true, "hmac": true, "Authorization": true, "sessionId": true,
		"x": false, "inside": false, "design": false, "sigcode": false, "filename": false, "offset": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v; want %v", name, got, want)
		}
	}
}
