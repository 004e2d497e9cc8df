package transfer

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
)

// backend is the article's Express handler: it checks the user's token,
// asks the storage (tusd on another origin) for an upload and answers
// 200 with its URL as Location, and no tus headers. With moved, the URL
// is one of its own that redirects (307) to the storage.
func backend(t *testing.T, storage string, seen *patchLog, moved bool) *httptest.Server {
	var self string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r)
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			io.Copy(io.Discard, r.Body) // as a server that reads before it answers
			http.Redirect(w, r, storage+strings.TrimPrefix(r.URL.Path, "/moved/"), http.StatusTemporaryRedirect)
			return
		}
		req, _ := http.NewRequest(http.MethodPost, storage, nil)
		for _, k := range []string{"Tus-Resumable", "Upload-Length", "Upload-Metadata"} {
			req.Header.Set(k, r.Header.Get(k))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if moved {
			loc = self + "/moved/" + loc[strings.LastIndex(loc, "/")+1:]
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusOK)
	}))
	self = hs.URL
	t.Cleanup(hs.Close)
	return hs
}

func TestBackendAnswering200WithOneTimeURL(t *testing.T) {
	for _, moved := range []bool{false, true} {
		name := map[bool]string{false: "direct", true: "via 307"}[moved]
		t.Run(name, func(t *testing.T) {
			srv := tustest.New(t)
			var atStorage, atBackend patchLog
			storage := front(t, srv, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				atStorage.add(r)
				next.ServeHTTP(w, r)
			})
			be := backend(t, storage, &atBackend, moved)
			c := newClient(t)
			tg := Target{Endpoint: be.URL + "/api/upload", Header: http.Header{
				"Authorization": {"Bearer s3cret"},
				"Cookie":        {"session=abc"},
				"X-Secret":      {"typed by the user"},
			}}
			path, sha := tustest.RandomFile(t, "", "a.bin", 2<<20+3, 1)

			cr, err := c.Create(ctx(t), tg, 2<<20+3)
			if err != nil {
				t.Fatalf("a 200 with a Location is a created upload: %v", err)
			}
			if moved != strings.HasPrefix(cr.URL, be.URL) {
				t.Fatalf("upload URL %s", cr.URL)
			}
			g := &guardCount{}
			if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, 2<<20+3, &progress{}, g.check); err != nil {
				t.Fatal(err)
			}
			stored(t, srv, cr.URL, sha)
			// The guard is asked before each final byte that goes out: the
			// backend read (and dropped) the first body before redirecting.
			asks := map[bool]int32{false: 1, true: 2}[moved]
			if srv.Created() != 1 || g.n.Load() != asks {
				t.Fatalf("created %d uploads, guard asked %d times; want 1 and %d", srv.Created(), g.n.Load(), asks)
			}
			for _, h := range atStorage.headers() {
				for k := range h {
					if !isTusHeader(k) && k != "Accept-Encoding" && k != "User-Agent" && !strings.HasPrefix(k, "X-Forwarded") {
						t.Errorf("the storage's origin got %s: %q", k, h.Get(k))
					}
				}
			}
			if got := atStorage.patches(); len(got) != 1 || got[0] != 2<<20+3 {
				t.Errorf("PATCHes at the storage: %v", got)
			}
			for _, h := range atBackend.headers() {
				if h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Secret") == "" {
					t.Errorf("the backend's own origin lacks its headers: %v", h)
				}
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	same := [][2]string{
		{"https://h.example/files/", "https://H.example:443/x"},
		{"http://h:80/a", "http://h/b"},
	}
	for _, p := range same {
		if originOf(p[0]) != originOf(p[1]) {
			t.Errorf("%s and %s should be one origin", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"https://h/files/", "http://h/files/"},
		{"https://h/files/", "https://h:8443/files/"},
		{"https://h/files/", "https://uploads.h/files/"},
	}
	for _, p := range differ {
		if originOf(p[0]) == originOf(p[1]) {
			t.Errorf("%s and %s should be two origins", p[0], p[1])
		}
	}
}
