package transfer

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
)

// redirecting answers requests of method with code and Location to+path;
// others go to tusd.
func redirecting(method string, code int, to string) middleware {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != method {
			next.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Location", to+strings.TrimPrefix(r.URL.Path, tustest.BasePath))
		w.WriteHeader(code)
	}
}

// TestCreationRedirectIsNamed: a 301/302/303 on the creation URL would
// turn the POST into a GET; the error names the status and where to go.
func TestCreationRedirectIsNamed(t *testing.T) {
	for _, code := range []int{301, 302, 303} {
		srv := tustest.New(t)
		tg := Target{Endpoint: front(t, srv, redirecting(http.MethodPost, code, "https://uploads.example.com/files/"))}
		path, _ := tustest.RandomFile(t, "", "r.bin", 1000, 8)
		c := newClient(t)
		_, err := c.Create(ctx(t), tg, 1000)
		want := "The upload URL redirects (" + strconv.Itoa(code) + ") to https://uploads.example.com/files/; use that URL as the destination."
		if err == nil || err.Error() != want || fault.CodeOf(err) != fault.CodeRedirect || fault.KindOf(err) != fault.Permanent {
			t.Fatalf("%d: %v (%q); want %q", code, err, fault.CodeOf(err), want)
		}
		if _, _, err := c.CreateWithData(ctx(t), tg, 1000, path, &progress{}, nil); err == nil || err.Error() != want {
			t.Fatalf("%d with data: %v", code, err)
		}
		if srv.Created() != 0 {
			t.Fatalf("%d uploads", srv.Created())
		}
	}
}

// TestTemporaryRedirectsKeepTheMethod: a 307/308 is followed with the
// method and the body, re-read from the file.
func TestTemporaryRedirectsKeepTheMethod(t *testing.T) {
	for _, code := range []int{307, 308} {
		srv := tustest.New(t)
		target := front(t, srv, nil)
		for _, method := range []string{http.MethodPost, http.MethodPatch} {
			tg := Target{Endpoint: front(t, srv, redirecting(method, code, target))}
			const size = 3<<20 + 1
			path, sha := tustest.RandomFile(t, "", "m.bin", size, 9)
			c := newClient(t)
			created := srv.Created()
			cr, off, err := c.CreateWithData(ctx(t), Target{Endpoint: tg.Endpoint, ChunkSize: 1 << 20}, size, path, &progress{}, nil)
			if err != nil {
				t.Fatalf("%d %s: %v", code, method, err)
			}
			if _, err := c.Send(ctx(t), tg, cr.URL, path, off, size, &progress{}, nil); err != nil {
				t.Fatalf("%d %s: %v", code, method, err)
			}
			stored(t, srv, cr.URL, sha)
			if srv.Created() != created+1 || off != 1<<20 {
				t.Fatalf("%d %s: %d uploads, %d bytes with the creation", code, method, srv.Created()-created, off)
			}
		}
	}
}
