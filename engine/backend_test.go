package engine

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// The article's flow: a backend holding the provider's token answers the
// creation request with 200 and the Location of a one-time upload URL on
// another origin; Ferry uploads there, without the backend's headers.
func TestBackendHandsOutAOneTimeURL(t *testing.T) {
	var leaked atomic.Int32
	srv := tustest.New(t, tustest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" || r.Header.Get("X-Backend-Key") != "" {
				leaked.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}))
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer backend-secret" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		// Ask the provider (tusd here) for an upload, as the backend
		// would ask Cloudflare with direct_user=true.
		req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
		for _, h := range []string{"Upload-Length", "Upload-Metadata", "Tus-Resumable"} {
			req.Header.Set(h, r.Header.Get(h))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		res.Body.Close()
		w.Header().Set("Access-Control-Expose-Headers", "Location")
		w.Header().Set("Location", res.Header.Get("Location"))
		w.WriteHeader(http.StatusOK)
	}))
	defer backend.Close()

	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "article.mp4", 3<<20, 1)
	j, err := e.Add(p, Destination{URL: backend.URL + "/api/upload-url", Header: http.Header{
		"Authorization": {"Bearer backend-secret"}, "X-Backend-Key": {"k"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, e, j.ID, 20*time.Second, Done, Failed)
	if got.State != Done {
		t.Fatalf("job %s: %s", got.State, got.Error)
	}
	assertArrived(t, srv, "article.mp4", sha, 1)
	if n := leaked.Load(); n != 0 {
		t.Fatalf("the backend's headers reached the upload host %d times", n)
	}
}
