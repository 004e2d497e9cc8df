package engine

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/keychain"
)

// urlSecretsServer is a tusd that creates uploads only for requests
// carrying the basic auth u:PWX, the query parameter token=QTX and the
// header X-Jwt: JWX; it returns the creation URL with the first two in it.
func urlSecretsServer(t *testing.T) (*tustest.Server, string, *atomic.Int64) {
	var ok atomic.Int64
	srv := tustest.New(t, tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				user, pass, _ := r.BasicAuth()
				if user != "u" || pass != "PWX" || r.URL.Query().Get("token") != "QTX" || r.Header.Get("X-Jwt") != "JWX" {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				ok.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}))
	full := strings.Replace(srv.URL, "http://", "http://u:PWX@", 1) + "?b=2&token=QTX&a=%2F1"
	return srv, full, &ok
}

// fileKeychain is the announced fallback file in dir, as on a machine
// without a Secret Service.
func fileKeychain(t *testing.T, dir string) *keychain.Keychain {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	return keychain.Open(dir, nil)
}

func TestSavedURLSecretsStayOutOfTheDatabase(t *testing.T) {
	srv, full, authorised := urlSecretsServer(t)
	dir := wine.TempDir(t)
	kc := fileKeychain(t, dir)
	e := newEngine(t, func(o *Options) { o.DataDir = dir; o.Keychain = kc })
	e.Start()
	secretHeaders := http.Header{"X-Jwt": {"JWX"}, "X-Hmac": {"HMX"}, "X-Team": {"blue"}}
	if err := e.SaveDestination(Destination{Name: "u", Kind: dest.KindTus, URL: full, Header: secretHeaders}, nil); err != nil {
		t.Fatal(err)
	}
	shown, _ := e.SavedDestination("u")
	if strings.Contains(shown.URL, "PWX") || strings.Contains(shown.URL, "QTX") || !strings.Contains(shown.URL, "token=REDACTED") {
		t.Fatalf("shown as %q", shown.URL)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 1<<20, 1)
	j, err := e.Add(p, Destination{Name: "u"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "a.mp4", sha, 1)
	e.Close()
	noSecretBytes(t, filepath.Join(dir, store.FileName), "PWX", "QTX", "JWX", "HMX")

	// A later process takes the URL from the keychain.
	e = newEngine(t, func(o *Options) { o.DataDir = dir; o.Keychain = fileKeychain(t, dir) })
	e.Start()
	p2, sha2 := tustest.RandomFile(t, wine.TempDir(t), "b.mp4", 1<<20, 2)
	j2, err := e.Add(p2, Destination{Name: "u"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j2.ID, 20*time.Second, Done)
	assertArrived(t, srv, "b.mp4", sha2, 2)
	if authorised.Load() != 2 {
		t.Fatalf("%d creations carried the URL's secrets, want 2", authorised.Load())
	}
	// Its query went as given: the signature of a pre-signed URL holds.
	if d, err := e.resolve(Destination{Name: "u"}); err != nil || d.URL != full {
		t.Fatalf("resolved to %q (%v), want %q", d.URL, err, full)
	}
	// Given back as shown, secret headers kept as the window keeps them
	// (an edit of something else), it keeps its URL.
	shown, _ = e.SavedDestination("u")
	shown.ChunkSize = 1 << 20
	shown.Header = http.Header{"X-Jwt": {KeepSecret}, "X-Hmac": {KeepSecret}, "X-Team": {"blue"}}
	if err := e.SaveDestination(shown, nil); err != nil {
		t.Fatal(err)
	}
	d, err := e.resolve(Destination{Name: "u"})
	if err != nil || d.URL != full || d.ChunkSize != 1<<20 || d.Header.Get("X-Jwt") != "JWX" || d.Header.Get("X-Hmac") != "HMX" {
		t.Fatalf("after an edit: %q %d %v (%v)", d.URL, d.ChunkSize, d.Header, err)
	}
	// A URL typed without its secrets takes them out of the keychain.
	if err := e.SaveDestination(Destination{Name: "u", Kind: dest.KindTus, URL: srv.URL}, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := kc.Get("u", "url"); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("the old URL stayed in the keychain: %q %v", v, err)
	}
	e.Close()
	noSecretBytes(t, filepath.Join(dir, store.FileName), "PWX", "QTX", "JWX", "HMX")
}

func TestRedactedURLIsNotSaved(t *testing.T) {
	e := newEngine(t, func(o *Options) { o.Keychain = &memSecrets{} })
	err := e.SaveDestination(Destination{Name: "u", URL: "http://REDACTED@h/files/?token=REDACTED"}, nil)
	if err == nil || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("saved a URL that says REDACTED: %v", err)
	}
}

func noSecretBytes(t *testing.T, path string, secrets ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds %q", filepath.Base(path), s)
		}
	}
}

func TestDestinationSizesAreBounded(t *testing.T) {
	e := newEngine(t, func(o *Options) { o.Keychain = &memSecrets{} })
	long := func(n int) string { return strings.Repeat("x", n) }
	for what, c := range map[string]struct {
		d       Destination
		secrets map[string]string
		says    string
	}{
		"token":         {Destination{Name: "a", Kind: dest.KindVimeo}, map[string]string{"token": long(16<<10 + 1)}, "16 KiB"},
		"header":        {Destination{Name: "b", URL: "http://h/files/", Header: http.Header{"X-Team": {long(8<<10 + 1)}}}, nil, "8 KiB"},
		"secret header": {Destination{Name: "c", URL: "http://h/files/", Header: http.Header{"Authorization": {long(8<<10 + 1)}}}, nil, "8 KiB"},
		"headers": {Destination{Name: "d", URL: "http://h/files/", Header: http.Header{
			"X-A": {long(8 << 10)}, "X-B": {long(8 << 10)}, "X-C": {long(8 << 10)}, "X-D": {long(8 << 10)}}}, nil, "32 KiB"},
		"metadata":   {Destination{Name: "e", URL: "http://h/files/", Meta: map[string]string{"k": long(30 << 10)}}, nil, "32 KiB"},
		"url":        {Destination{Name: "f", URL: "http://h/files/?q=" + long(8<<10)}, nil, "8 KiB"},
		"secret url": {Destination{Name: "g", URL: "http://u:p@h/files/?token=" + long(8<<10)}, nil, "8 KiB"},
	} {
		err := e.SaveDestination(c.d, c.secrets)
		if err == nil || fault.CodeOf(err) != fault.CodeBadURL || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v", what, err)
		} else if len(err.Error()) > 300 {
			t.Errorf("%s: the sentence quotes it: %.80s…", what, err)
		}
	}
	if n := len(e.Destinations()); n != 0 {
		t.Fatalf("%d kept", n)
	}
	// At the bounds, they are taken.
	if err := e.SaveDestination(Destination{Name: "vm", Kind: dest.KindVimeo}, map[string]string{"token": long(16 << 10)}); err != nil {
		t.Fatal(err)
	}
	if err := e.SaveDestination(Destination{Name: "h", URL: "http://h/files/", Header: http.Header{"X-Team": {long(8 << 10)}}}, nil); err != nil {
		t.Fatal(err)
	}
}

// flakySecrets is a keychain that refuses what a test says.
type flakySecrets struct {
	memSecrets
	mu         sync.Mutex
	failSet    func(key string) bool
	failDelete bool
}

func (f *flakySecrets) fail(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failSet != nil && f.failSet(key)
}

func (f *flakySecrets) Set(dest, key, value string) error {
	if f.fail(key) {
		return errors.New("the keychain is locked")
	}
	return f.memSecrets.Set(dest, key, value)
}

func (f *flakySecrets) Delete(dest string) error {
	f.mu.Lock()
	failing := f.failDelete
	f.mu.Unlock()
	if failing {
		return errors.New("the keychain is locked")
	}
	return f.memSecrets.Delete(dest)
}

func (f *flakySecrets) DeleteKey(dest, key string) error {
	f.mu.Lock()
	failing := f.failDelete
	f.mu.Unlock()
	if failing {
		return errors.New("the keychain is locked")
	}
	f.memSecrets.mu.Lock()
	defer f.memSecrets.mu.Unlock()
	delete(f.memSecrets.m, dest+"/"+key)
	return nil
}

func (f *flakySecrets) set(failSet func(string) bool, failDelete bool) {
	f.mu.Lock()
	f.failSet, f.failDelete = failSet, failDelete
	f.mu.Unlock()
}

func TestFailedEditKeepsTheOldSecrets(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("old-token"))
	kc := &flakySecrets{}
	e := newEngine(t, func(o *Options) { o.Keychain = kc })
	e.Start()
	studio := Destination{Name: "studio", URL: srv.URL, Header: http.Header{"Authorization": {"Bearer old-token"}}}
	if err := e.SaveDestination(studio, nil); err != nil {
		t.Fatal(err)
	}

	// The keychain refuses everything: the edit fails, nothing is lost.
	kc.set(func(string) bool { return true }, true)
	edit := Destination{Name: "studio", URL: srv.URL, ChunkSize: 1 << 20, Header: http.Header{"Authorization": {"Bearer new-token"}}}
	if err := e.SaveDestination(edit, nil); fault.CodeOf(err) != fault.CodeKeychain || !strings.Contains(err.Error(), "keeps its old settings") {
		t.Fatalf("edit with a locked keychain: %v", err)
	}
	// It refuses the second secret only: the first is put back.
	kc.set(func(k string) bool { return k == "url" }, false)
	edit.URL = strings.Replace(srv.URL, "http://", "http://u:p@", 1)
	if err := e.SaveDestination(edit, nil); fault.CodeOf(err) != fault.CodeKeychain {
		t.Fatalf("edit that failed half way: %v", err)
	}
	if v, err := kc.Get("studio", "header:Authorization"); err != nil || v != "Bearer old-token" {
		t.Fatalf("the old token after failed edits: %q %v", v, err)
	}
	if d, _ := e.SavedDestination("studio"); d.ChunkSize != 0 || d.SecretURL {
		t.Fatalf("a failed edit changed the record: %+v", d)
	}
	kc.set(nil, false)
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "k.mp4", 1<<20, 1)
	j, err := e.Add(p, Destination{Name: "studio"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "k.mp4", sha, 1)

	// An edit that no longer has a secret takes it out; one that cannot
	// says so, and is saved all the same.
	if err := e.SaveDestination(Destination{Name: "studio", URL: srv.URL, Header: http.Header{"X-Jwt": {"j"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := kc.Get("studio", "header:Authorization"); err == nil {
		t.Fatalf("a secret no longer used stayed: %q", v)
	}
	kc.set(nil, true)
	err = e.SaveDestination(Destination{Name: "studio", URL: srv.URL, ChunkSize: 2 << 20}, nil)
	if fault.CodeOf(err) != fault.CodeKeychain || !strings.Contains(err.Error(), "Saved studio, but") {
		t.Fatalf("an old secret that could not be taken out: %v", err)
	}
	if d, _ := e.SavedDestination("studio"); d.ChunkSize != 2<<20 {
		t.Fatalf("not saved: %+v", d)
	}
}

func TestRemovedDestinationSaysWhenItsSecretsStay(t *testing.T) {
	kc := &flakySecrets{}
	e := newEngine(t, func(o *Options) { o.Keychain = kc })
	if err := e.SaveDestination(Destination{Name: "studio", URL: "http://h/files/", Header: http.Header{"Authorization": {"Bearer t"}}}, nil); err != nil {
		t.Fatal(err)
	}
	kc.set(nil, true)
	err := e.RemoveDestination("studio")
	if fault.CodeOf(err) != fault.CodeKeychain || !strings.Contains(err.Error(), "Removed studio, but its secrets") {
		t.Fatalf("remove with a locked keychain: %v", err)
	}
	if _, ok := e.SavedDestination("studio"); ok {
		t.Fatal("the destination stayed")
	}
}
