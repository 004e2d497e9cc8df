package engine

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// A server that names the media (Cloudflare Stream's Stream-Media-ID) has
// that id kept in the job's result.
func TestKeepsStreamMediaID(t *testing.T) {
	srv := tustest.New(t)
	target, _ := url.Parse(srv.DirectURL)
	target.Path = ""
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method == http.MethodPost && res.StatusCode == http.StatusCreated {
			res.Header.Set("Stream-Media-ID", "media-123")
		}
		return nil
	}
	front := httptest.NewServer(rp)
	defer front.Close()

	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "cf.mp4", 100<<10, 1)
	j, _ := e.Add(p, Destination{URL: front.URL + "/files/"})
	done := waitFor(t, e, j.ID, 10*time.Second, Done, Failed)
	if done.MediaID != "media-123" || !strings.HasPrefix(done.UploadURL, front.URL) {
		t.Fatalf("result: media %q url %q (%s)", done.MediaID, done.UploadURL, done.Error)
	}
	assertArrived(t, srv, "cf.mp4", sha, 1)
}

func TestTooLargeFailsAtOnce(t *testing.T) {
	srv := tustest.New(t, tustest.WithTusdConfig(func(c *handler.Config) { c.MaxSize = 1000 }))
	e := newEngine(t)
	e.Start()
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "big.mp4", 5000, 1)
	j, _ := e.Add(p, destOf(srv))
	f := waitFor(t, e, j.ID, 5*time.Second, Failed)
	if !strings.Contains(f.Error, "too large (413)") {
		t.Fatalf("error %q", f.Error)
	}
}

// The engine is driven by every front-end and must not pull in a toolkit.
func TestEngineImportsNoUI(t *testing.T) {
	wine.Skip(t, "no Go toolchain runs inside the Wine prefix (the check is the same on every OS, and runs on Linux)")
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "fyne.io") {
		t.Fatal("engine depends on fyne.io")
	}
}
