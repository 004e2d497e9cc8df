package app

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

func TestDestAddRefusesAnExistingName(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	a, b := tustest.New(t), tustest.New(t)
	data := wine.TempDir(t)
	if r := ferry(t, "dest", "add", "studio", "--data-dir", data, "--url", a.URL); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	r := ferry(t, "dest", "add", "studio", "--data-dir", data, "--url", b.URL)
	if r.code != 2 || !strings.Contains(r.stderr, "already a destination studio") || !strings.Contains(r.stderr, "--replace") {
		t.Fatalf("add again: exit %d %q", r.code, r.stderr)
	}
	if show := ferry(t, "dest", "show", "studio", "--data-dir", data); !strings.Contains(show.stdout, a.URL) {
		t.Fatalf("replaced without --replace: %s", show.stdout)
	}
	if r := ferry(t, "dest", "add", "studio", "--data-dir", data, "--url", b.URL, "--replace"); r.code != 0 {
		t.Fatalf("add --replace: exit %d %s", r.code, r.stderr)
	}
	if show := ferry(t, "dest", "show", "studio", "--data-dir", data); !strings.Contains(show.stdout, b.URL) {
		t.Fatalf("not replaced: %s", show.stdout)
	}
}

func TestDestAddBoundsSizes(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t)
	data := wine.TempDir(t)
	big := strings.Repeat("x", 120<<10)
	for what, c := range map[string]struct {
		stdin string
		args  []string
		says  string
	}{
		"token":  {strings.Repeat("t", 5<<20), []string{"vm", "--kind", "vimeo", "--token-stdin"}, "longer than 16 KiB"},
		"header": {"", []string{"h", "--url", srv.URL, "--header", "X-Big: " + big}, "at most 8 KiB"},
		"url":    {"", []string{"u", "--url", srv.URL + "?q=" + big}, "at most 8 KiB"},
	} {
		r := ferryIn(t, c.stdin, append([]string{"dest", "add", "--data-dir", data}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) || len(r.stderr) > 500 {
			t.Errorf("%s: exit %d %.300q", what, r.code, r.stderr)
		}
	}
	if list := ferry(t, "dest", "list", "--data-dir", data); !strings.Contains(list.stdout, "No saved destinations") {
		t.Fatalf("kept: %s", list.stdout)
	}
}

// A URL's user-info and token are kept in the keychain, never in
// ferry.db, and still go with every creation.
func TestDestURLSecretsGoToTheKeychain(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	var authorised atomic.Int64
	srv := tustest.New(t, tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				user, pass, _ := r.BasicAuth()
				if user != "u" || pass != "PWX" || r.URL.Query().Get("token") != "QTX" {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				authorised.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}))
	data := wine.TempDir(t)
	full := strings.Replace(srv.URL, "http://", "http://u:PWX@", 1) + "?token=QTX"
	add := ferry(t, "dest", "add", "u", "--data-dir", data, "--kind", "tus", "--url", full)
	if add.code != 0 {
		t.Fatalf("add: exit %d %s %s", add.code, add.stdout, add.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 1<<20, 1)
	up := ferry(t, "upload", "--data-dir", data, "--to", "u", "--json", p)
	if up.code != 0 || authorised.Load() != 1 {
		t.Fatalf("upload: exit %d, %d authorised creations: %s %s", up.code, authorised.Load(), up.stdout, up.stderr)
	}
	if ups := srv.Uploads(); len(ups) != 1 || ups[0].SHA256 != sha {
		t.Fatalf("uploads %+v", ups)
	}
	list := ferry(t, "dest", "list", "--json", "--data-dir", data)
	show := ferry(t, "dest", "show", "u", "--data-dir", data)
	queue := ferry(t, "queue", "--json", "--data-dir", data)
	if !strings.Contains(show.stdout, "token=REDACTED") {
		t.Fatalf("show does not say where the secret was: %s", show.stdout)
	}
	noSecrets(t, data, []string{"PWX", "QTX"}, list.stdout, show.stdout, queue.stdout, up.stdout, up.stderr, add.stdout)
	if !strings.Contains(add.stdout, "Its secrets are in") {
		t.Fatalf("add does not say where the secrets went: %s", add.stdout)
	}
}

// Secret query parameters by other names (jwt, hmac, sid, pass) stay out
// of ferry queue --json and ferry.db, and the upload URL's out of what is shown.
func TestQueueJSONHidesSecretParameters(t *testing.T) {
	srv := tustest.New(t, tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				w = &signedLocation{ResponseWriter: w}
			}
			next.ServeHTTP(w, r)
		})
	}))
	data := wine.TempDir(t)
	to := srv.URL + "?jwt=JWTX&x-hmac=HMX&sid=SIDX&passcode=PSX&side=left"
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 1<<16, 1)
	up := ferry(t, "upload", "--data-dir", data, "--to", to, "--json", p)
	if up.code != 0 {
		t.Fatalf("upload: exit %d %s", up.code, up.stderr)
	}
	queue := ferry(t, "queue", "--json", "--data-dir", data)
	text := ferry(t, "queue", "--data-dir", data)
	if !strings.Contains(queue.stdout, "side=left") || !strings.Contains(queue.stdout, "sid=REDACTED") {
		t.Fatalf("queue --json: %s", queue.stdout)
	}
	noSecrets(t, data, []string{"JWTX", "HMX", "SIDX", "PSX"}, queue.stdout, text.stdout, up.stdout)
	// The upload URL is kept as handed out (a resume needs it), never shown.
	for _, out := range []string{queue.stdout, text.stdout, up.stdout} {
		if strings.Contains(out, "SIGU") {
			t.Fatalf("the upload URL's secret shows: %s", out)
		}
	}
}

// signedLocation hands out upload URLs with a secret of their own.
type signedLocation struct{ http.ResponseWriter }

func (w *signedLocation) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); loc != "" {
		w.Header().Set("Location", loc+"?sid=SIGU")
	}
	w.ResponseWriter.WriteHeader(code)
}
