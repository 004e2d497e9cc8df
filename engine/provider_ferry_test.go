package engine

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/receiver"
)

// TestFerryReceiverProvider: the provider added as one file (dest/ferry.go)
// works end to end against Ferry's receiver with a token: its test tells
// the right token from a wrong one, and files of both sizes (a named
// creation, a creation then PATCH) arrive byte for byte, one upload each,
// the token on every request.
func TestFerryReceiverProvider(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	in := wine.TempDir(t)
	rs, err := receiver.New(receiver.Config{Dir: in, Listen: "127.0.0.1:0", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	var posts, unauthorised atomic.Int32
	h := rs.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		if r.Method != http.MethodOptions && r.Header.Get("Authorization") != "Bearer "+token {
			unauthorised.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)

	dir := wine.TempDir(t)
	e := newEngine(t, func(o *Options) { o.DataDir = dir; o.Keychain = fileKeychain(t, dir) })
	e.Start()
	d := Destination{Name: "NAS", Kind: dest.KindFerry, URL: hs.URL + "/files/"}
	if err := e.SaveDestination(d, map[string]string{"token": "wrong"}); err != nil {
		t.Fatal(err)
	}
	err = e.TestDestination("NAS")
	if fault.CodeOf(err) != fault.CodeAuth || !strings.Contains(err.Error(), "Ferry receiver refused the token (401)") {
		t.Fatalf("test with a wrong token: %v", err)
	}
	if err := e.SaveDestination(d, map[string]string{"token": token}); err != nil {
		t.Fatal(err)
	}
	if err := e.TestDestination("NAS"); err != nil {
		t.Fatalf("test with the right token: %v", err)
	}
	before := unauthorised.Load()

	files := wine.TempDir(t)
	sums := map[string]string{}
	for i, size := range []int64{1000, 300 << 10, 3 << 20} {
		name := fmt.Sprintf("f%d.mp4", i)
		_, sums[name] = tustest.RandomFile(t, files, name, size, int64(i))
	}
	for _, a := range e.AddMany([]string{files}, Destination{Name: "NAS"}) {
		if a.Err != nil {
			t.Fatal(a.Err)
		}
	}
	waitDone(t, e, len(sums), 60*time.Second)
	for name, want := range sums {
		if got := fileSHA(t, filepath.Join(in, name)); got != want {
			t.Fatalf("%s arrived with sha %s, want %s", name, got, want)
		}
	}
	if got := posts.Load(); got != int32(len(sums)) {
		t.Fatalf("%d creations; want one a file, %d", got, len(sums))
	}
	if got := unauthorised.Load() - before; got != 0 {
		t.Fatalf("%d requests went without the token", got)
	}
}
