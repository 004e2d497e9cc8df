package engine

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// testEngine is an engine with a keychain in memory, for saved
// destinations.
func testEngine(t *testing.T) *Engine {
	t.Helper()
	return newEngine(t, func(o *Options) { o.Keychain = &memSecrets{} })
}

// save saves a destination (with a token, if any) or fails the test.
func save(t *testing.T, e *Engine, d Destination, token string) {
	t.Helper()
	var secrets map[string]string
	if token != "" {
		secrets = map[string]string{"token": token}
	}
	if err := e.SaveDestination(d, secrets); err != nil {
		t.Fatalf("save %s: %v", d.Name, err)
	}
}

// refusedAs checks err is a refusal of credentials whose sentence says
// all of want and none of the other providers' words.
func refusedAs(t *testing.T, what string, err error, status int, want ...string) {
	t.Helper()
	var te *fault.Error
	if !errors.As(err, &te) || te.Code != fault.CodeAuth || te.Status != status {
		t.Fatalf("%s: %v (%s), want credentials refused (%d)", what, err, fault.CodeOf(err), status)
	}
	for _, w := range want {
		if !strings.Contains(te.Msg, w) {
			t.Fatalf("%s: %q does not say %q", what, te.Msg, w)
		}
	}
}

func TestTestOfATusServerAsksWithTheCredentials(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("right"))
	e := testEngine(t)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	save(t, e, Destination{Name: "right", URL: srv.URL, Header: bearer("right")}, "")
	save(t, e, Destination{Name: "wrong", URL: srv.URL, Header: bearer("wrong")}, "")
	save(t, e, Destination{Name: "none", URL: srv.URL}, "")

	if err := e.TestDestination("right"); err != nil {
		t.Fatalf("the right token: %v", err)
	}
	var asked bool
	for _, r := range srv.Requests() {
		asked = asked || strings.HasPrefix(r, "HEAD /files/ferry-test-") && strings.HasSuffix(r, " 404")
	}
	if !asked {
		t.Fatalf("no HEAD of an upload that cannot exist: %v", srv.Requests())
	}
	refusedAs(t, "a wrong token", e.TestDestination("wrong"), 401,
		"The server refused the credentials (401). Check the Authorization header saved for wrong")
	refusedAs(t, "no token", e.TestDestination("none"), 401, "Check the Authorization header saved for none")
	if srv.Created() != 0 {
		t.Fatalf("a test created %d uploads", srv.Created())
	}
}

// A server that answers OPTIONS to anyone (as CORS preflights need) but
// wants the token for everything else: OPTIONS proves nothing.
func TestTestOfATusServerDoesNotTrustOPTIONS(t *testing.T) {
	srv := tustest.New(t, tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodOptions && r.Header.Get("Authorization") != "Bearer right" {
				w.Header().Set("Tus-Resumable", "1.0.0")
				http.Error(w, "ERR_UNAUTHORIZED: missing or invalid bearer token", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	e := testEngine(t)
	save(t, e, Destination{Name: "wrong", URL: srv.URL, Header: http.Header{"Authorization": {"Bearer wrong"}}}, "")
	save(t, e, Destination{Name: "right", URL: srv.URL, Header: http.Header{"Authorization": {"Bearer right"}}}, "")
	refusedAs(t, "a wrong token", e.TestDestination("wrong"), 403, "refused the credentials (403)")
	if err := e.TestDestination("right"); err != nil {
		t.Fatalf("the right token: %v", err)
	}
}

// Servers in front of tusd that answer what a tus server would not: each
// test fails with a sentence that names the status.
func TestTestOfATusServerNamesAnAnswerThatFitsNothing(t *testing.T) {
	var login atomic.Int32
	answer := func(status int, header map[string]string, body string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/login" {
					login.Add(1)
				}
				io.Copy(io.Discard, r.Body)
				for k, v := range header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(status)
				if r.Method != http.MethodHead {
					io.WriteString(w, body)
				}
			})
		}
	}
	html := map[string]string{"Content-Type": "text/html; charset=utf-8"}
	cases := []struct {
		name string
		mw   func(http.Handler) http.Handler
		want []string
	}{
		{"405", answer(405, map[string]string{"Allow": "GET, POST"}, "method not allowed\n"), []string{"405 Method Not Allowed", "Check the URL."}},
		{"400", answer(400, nil, "bad request\n"), []string{"400 Bad Request"}},
		{"login", answer(302, map[string]string{"Location": "/login?next=%2Ffiles%2F"}, ""), []string{"redirect (302 Found)", "/login?next=", "login page"}},
		{"page", answer(200, html, "<!DOCTYPE html><html><body>Welcome</body></html>\n"), []string{"200 OK", "a web page"}},
	}
	e := testEngine(t)
	for _, c := range cases {
		srv := tustest.New(t, tustest.WithMiddleware(c.mw))
		save(t, e, Destination{Name: c.name, URL: srv.URL, Header: http.Header{"Authorization": {"Bearer t"}}}, "")
		err := e.TestDestination(c.name)
		t.Logf("%s: %v", c.name, err)
		if err == nil || fault.CodeOf(err) == fault.CodeAuth {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: %q does not say %q", c.name, err, w)
			}
		}
		if srv.Created() != 0 {
			t.Fatalf("%s: a test created an upload", c.name)
		}
	}
	if login.Load() != 0 {
		t.Fatal("the test followed the redirect to the login page")
	}
	// A web server that knows nothing of tus: 404 to the HEAD, but no
	// Tus-Version anywhere.
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{NotTus: true}))
	save(t, e, Destination{Name: "static", URL: srv.URL}, "")
	t.Logf("static: %v", e.TestDestination("static"))
	if err := e.TestDestination("static"); fault.CodeOf(err) != fault.CodeNotTus || !strings.Contains(err.Error(), "not as a tus server (200 OK to OPTIONS") {
		t.Fatalf("a static web server: %v (%s)", err, fault.CodeOf(err))
	}
}

func TestTestOfCloudflareChecksTheTokenAndTheAccount(t *testing.T) {
	srv := tustest.New(t)
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf-right")
	t.Setenv("FERRY_CLOUDFLARE_API", cf.Base)
	e := testEngine(t)
	const otherAccount = "0123456789abcdef0123456789abcdef"
	save(t, e, Destination{Name: "right", Kind: dest.KindCloudflare, Account: tustest.CloudflareAccount}, "cf-right")
	save(t, e, Destination{Name: "wrong-token", Kind: dest.KindCloudflare, Account: tustest.CloudflareAccount}, "cf-wrong")
	save(t, e, Destination{Name: "wrong-account", Kind: dest.KindCloudflare, Account: otherAccount}, "cf-right")

	if err := e.TestDestination("right"); err != nil {
		t.Fatalf("right token and account: %v", err)
	}
	err := e.TestDestination("wrong-token")
	refusedAs(t, "a wrong token", err, 401, "Cloudflare refused the API token (401). Check the API token saved for wrong-token.")
	if strings.Contains(err.Error(), "Authorization") {
		t.Fatalf("a wrong token speaks of a header: %v", err)
	}
	err = e.TestDestination("wrong-account")
	if fault.CodeOf(err) != fault.CodeBadURL || err.Error() != "Cloudflare does not know the account "+otherAccount+" (404). Check the account id saved for wrong-account." {
		t.Fatalf("a wrong account: %v (%s)", err, fault.CodeOf(err))
	}
	cf.SetTokenStatus("disabled")
	if err := e.TestDestination("right"); fault.CodeOf(err) != fault.CodeAuth || !strings.Contains(err.Error(), "Cloudflare says the API token saved for right is disabled.") {
		t.Fatalf("a disabled token: %v (%s)", err, fault.CodeOf(err))
	}
	var verified, listed bool
	for _, r := range cf.Requests() {
		verified = verified || strings.HasPrefix(r, "GET /client/v4/user/tokens/verify ")
		listed = listed || strings.HasPrefix(r, "GET /client/v4/accounts/"+tustest.CloudflareAccount+"/stream?limit=1 ")
	}
	if !verified || !listed || cf.URLsIssued() != 0 {
		t.Fatalf("verified %v, listed %v, uploads made %d: %v", verified, listed, cf.URLsIssued(), cf.Requests())
	}
}

func TestCloudflareAccountIDIsChecked(t *testing.T) {
	e := testEngine(t)
	for _, id := range []string{"abc 123", "acc123", tustest.CloudflareAccount + "0", tustest.CloudflareAccount[:31] + "g", "../" + tustest.CloudflareAccount[3:]} {
		err := e.SaveDestination(Destination{Name: "cf", Kind: dest.KindCloudflare, Account: id}, map[string]string{"token": "t"})
		if err == nil || !strings.Contains(err.Error(), "is not a Cloudflare account id") {
			t.Fatalf("account %q: %v", id, err)
		}
	}
	if err := (Destination{Kind: dest.KindCloudflare}).Check(); err == nil || !strings.Contains(err.Error(), "needs its account id") {
		t.Fatalf("no account: %v", err)
	}
	if err := (Destination{Kind: dest.KindCloudflare, Account: strings.ToUpper(tustest.CloudflareAccount)}).Check(); err != nil {
		t.Fatalf("an account id in capitals: %v", err)
	}
	if len(e.Destinations()) != 0 {
		t.Fatal("a bad account id was saved")
	}
}

func TestTestOfVimeoAsksWhoTheTokenIs(t *testing.T) {
	srv := tustest.New(t)
	vm := tustest.NewVimeo(t, srv, "vimeo-right")
	t.Setenv("FERRY_VIMEO_API", vm.Base)
	e := testEngine(t)
	save(t, e, Destination{Name: "right", Kind: dest.KindVimeo}, "vimeo-right")
	save(t, e, Destination{Name: "wrong", Kind: dest.KindVimeo}, "vimeo-wrong")
	if err := e.TestDestination("right"); err != nil {
		t.Fatalf("the right token: %v", err)
	}
	refusedAs(t, "a wrong token", e.TestDestination("wrong"), 401, "Vimeo refused the access token (401). Check the access token saved for wrong.")
	if vm.Created() != 0 {
		t.Fatal("a test made a video")
	}
}

func TestTestOfABackendSaysWhatItCannotCheck(t *testing.T) {
	srv := tustest.New(t)
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf")
	b := tustest.NewBackend(t, cf, "X-App-Key", "k")
	e := testEngine(t)
	save(t, e, Destination{Name: "app", Kind: dest.KindBackend, URL: b.URL, Header: http.Header{"X-App-Key": {"k"}}}, "")
	var unchecked *ErrUnchecked
	if err := e.TestDestination("app"); !errors.As(err, &unchecked) || !strings.Contains(err.Error(), "The backend answers (204 No Content to OPTIONS)") ||
		!strings.Contains(err.Error(), "shows at the first upload") {
		t.Fatalf("a backend: %v", err)
	}
	if b.Asked() != 0 || cf.URLsIssued() != 0 {
		t.Fatal("a test asked the backend for an upload")
	}
}

// A refusal during an upload speaks of what the provider calls its
// credentials, once, and is not retried.
func TestRefusedCredentialsInTheProvidersWords(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("tus-right"))
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf-right")
	vm := tustest.NewVimeo(t, srv, "vimeo-right")
	t.Setenv("FERRY_CLOUDFLARE_API", cf.Base)
	t.Setenv("FERRY_VIMEO_API", vm.Base)
	e := testEngine(t)
	e.Start()
	save(t, e, Destination{Name: "cf", Kind: dest.KindCloudflare, Account: tustest.CloudflareAccount}, "cf-wrong")
	save(t, e, Destination{Name: "cf-elsewhere", Kind: dest.KindCloudflare, Account: "0123456789abcdef0123456789abcdef"}, "cf-right")
	save(t, e, Destination{Name: "vm", Kind: dest.KindVimeo}, "vimeo-wrong")
	save(t, e, Destination{Name: "studio", URL: srv.URL, Header: http.Header{"Authorization": {"Bearer tus-wrong"}}}, "")
	want := map[string]string{
		"cf":           "Cloudflare refused the API token (401). Check the API token saved for cf.",
		"cf-elsewhere": "Cloudflare does not know the account 0123456789abcdef0123456789abcdef (404). Check the account id saved for cf-elsewhere.",
		"vm":           "Vimeo refused the access token (401). Check the access token saved for vm.",
		"studio":       "The server refused the credentials (401). Check the Authorization header saved for studio, or the token in it.",
	}
	for name, sentence := range want {
		p, _ := tustest.RandomFile(t, wine.TempDir(t), name+".mp4", 1<<10, 1)
		j, err := e.Add(p, Destination{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		got := waitFor(t, e, j.ID, 20*time.Second, Failed)
		if got.Error != sentence {
			t.Errorf("%s: %q (%s), want %q", name, got.Error, got.ErrorCode, sentence)
		}
	}
	if srv.Created() != 0 {
		t.Fatalf("%d uploads made", srv.Created())
	}
}

// An upload URL on another origin gets no credentials from Ferry: its
// refusal blames no token.
func TestRefusedUploadURLElsewhereBlamesNoToken(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("storage-only"))
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-App-Key") != "k" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
		for _, h := range []string{"Upload-Length", "Upload-Metadata", "Tus-Resumable"} {
			req.Header.Set(h, r.Header.Get(h))
		}
		req.Header.Set("Authorization", "Bearer storage-only")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		res.Body.Close()
		w.Header().Set("Location", res.Header.Get("Location"))
		w.WriteHeader(http.StatusOK)
	}))
	defer backend.Close()
	e := testEngine(t)
	e.Start()
	save(t, e, Destination{Name: "app", Kind: dest.KindBackend, URL: backend.URL, Header: http.Header{"X-App-Key": {"k"}}}, "")
	save(t, e, Destination{Name: "nokey", Kind: dest.KindBackend, URL: backend.URL}, "")
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "b.mp4", 1<<10, 1)
	j, err := e.Add(p, Destination{Name: "app"})
	if err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, e, j.ID, 20*time.Second, Failed)
	if got.ErrorCode != fault.CodeAuth || got.Error != "The upload URL the backend handed out was refused (401); Ferry sends no credentials there. Cancel the file and retry it to get a new URL." {
		t.Fatalf("%q (%s)", got.Error, got.ErrorCode)
	}
	p2, _ := tustest.RandomFile(t, wine.TempDir(t), "k.mp4", 1<<10, 2)
	j2, err := e.Add(p2, Destination{Name: "nokey"})
	if err != nil {
		t.Fatal(err)
	}
	got = waitFor(t, e, j2.ID, 20*time.Second, Failed)
	if got.ErrorCode != fault.CodeAuth || got.Error != "The backend refused the credentials (401). Check the headers saved for nokey (the key or Authorization header it expects)." {
		t.Fatalf("%q (%s)", got.Error, got.ErrorCode)
	}
}
