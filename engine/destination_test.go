package engine

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// memSecrets is a keychain in memory, for tests of what the engine does
// with one (keychain has its own tests).
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(dest, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[dest+"/"+key]
	if !ok {
		return "", errors.New("no such secret")
	}
	return v, nil
}

func (s *memSecrets) Set(dest, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[dest+"/"+key] = value
	return nil
}

func (s *memSecrets) Delete(dest string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.m {
		if strings.HasPrefix(k, dest+"/") {
			delete(s.m, k)
		}
	}
	return nil
}

func TestSavedDestinationIsResolvedAtEveryAttempt(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("new-token"))
	kc := &memSecrets{}
	dir := wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = dir; o.Keychain = kc })
	e.Start()
	err := e.SaveDestination(Destination{Name: "studio", Kind: dest.KindTus, URL: srv.URL,
		Header: http.Header{"Authorization": {"Bearer old-token"}, "X-Team": {"blue"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.DefaultDestination() != "studio" {
		t.Fatalf("default %q", e.DefaultDestination())
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "d.mp4", 2<<20, 1)
	j, err := e.Add(p, Destination{Name: "studio"})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitFor(t, e, j.ID, 10*time.Second, Failed)
	if failed.ErrorCode != fault.CodeAuth {
		t.Fatalf("old token: %s %s", failed.ErrorCode, failed.Error)
	}
	// The token is rotated: the job, retried, takes the new one.
	if err := e.SaveDestination(Destination{Name: "studio", Kind: dest.KindTus, URL: srv.URL,
		Header: http.Header{"Authorization": {"Bearer new-token"}, "X-Team": {"blue"}}}, nil); err != nil {
		t.Fatal(err)
	}
	e.Retry(j.ID)
	waitFor(t, e, j.ID, 20*time.Second, Done)
	assertArrived(t, srv, "d.mp4", sha, 1)

	e.Close()
	db, _ := os.ReadFile(filepath.Join(dir, store.FileName))
	for _, secret := range []string{"old-token", "new-token"} {
		if strings.Contains(string(db), secret) {
			t.Errorf("%s is in the database", secret)
		}
	}
	if !strings.Contains(string(db), "blue") {
		t.Error("a plain header was not kept")
	}
}

func TestRemovedDestinationFailsItsJobsWithASentence(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 256 << 10}))
	e := newEngine(t, func(o *Options) { o.Keychain = &memSecrets{} })
	if err := e.SaveDestination(Destination{Name: "gone", URL: srv.URL}, nil); err != nil {
		t.Fatal(err)
	}
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "g.mp4", 2<<20, 1)
	j, _ := e.Add(p, Destination{Name: "gone"})
	e.Pause(j.ID)
	if err := e.RemoveDestination("gone"); err != nil {
		t.Fatal(err)
	}
	e.Resume(j.ID)
	f := waitFor(t, e, j.ID, 10*time.Second, Failed)
	if f.ErrorCode != fault.CodeNoDestination || !strings.Contains(f.Error, "gone") {
		t.Fatalf("%s: %s", f.ErrorCode, f.Error)
	}
	if _, err := e.Add(p, Destination{Name: "nowhere"}); fault.CodeOf(err) != fault.CodeNoDestination {
		t.Fatalf("add to an unknown destination: %v", err)
	}
}

func TestDestinationSettingsAreChecked(t *testing.T) {
	e := newEngine(t, func(o *Options) { o.Keychain = &memSecrets{} })
	bad := map[string]Destination{
		"no url":             {Name: "a", Kind: dest.KindTus},
		"cloudflare no acct": {Name: "b", Kind: dest.KindCloudflare},
		"odd chunk":          {Name: "c", Kind: dest.KindCloudflare, Account: tustest.CloudflareAccount, ChunkSize: 3 << 20},
		"kind":               {Name: "d", Kind: "ftp", URL: "http://x/"},
		"name":               {Name: "a/b", URL: "http://x/"},
		"name with a space":  {Name: " my dest", URL: "http://x/"}, // inside, a space is fine
	}
	for what, d := range bad {
		if err := e.SaveDestination(d, nil); err == nil {
			t.Errorf("%s: saved", what)
		}
	}
	if len(e.Destinations()) != 0 {
		t.Fatal("a bad destination was kept")
	}
}

func TestKeepSecretKeepsTheSavedValue(t *testing.T) {
	kc := &memSecrets{}
	e := newEngine(t, func(o *Options) { o.Keychain = kc })
	d := Destination{Name: "cf", Kind: dest.KindCloudflare, Account: tustest.CloudflareAccount}
	if err := e.SaveDestination(d, map[string]string{"token": KeepSecret}); err == nil {
		t.Fatal("KeepSecret on a new destination was saved")
	}
	h := Destination{Name: "site", Kind: dest.KindTus, URL: "https://tus.example.com/files/", Header: http.Header{"Authorization": {"Bearer one"}}}
	if err := e.SaveDestination(h, nil); err != nil {
		t.Fatal(err)
	}
	h.ChunkSize = 5 << 20
	h.Header = http.Header{"Authorization": {KeepSecret}}
	if err := e.SaveDestination(h, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := kc.Get("site", "header:Authorization"); err != nil || v != "Bearer one" {
		t.Fatalf("after an edit that kept it: %q %v", v, err)
	}
	if got, _ := e.SavedDestination("site"); got.ChunkSize != 5<<20 {
		t.Fatalf("the edit was not saved: %+v", got)
	}
}
