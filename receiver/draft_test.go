package receiver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// tusJS installs tus-js-client (testdata/tusjs, its lock file) once per
// version into the user's cache and returns the folder to run upload.js
// in. Without Node it skips, saying so; make deps installs Node.
func tusJS(t *testing.T) string {
	t.Helper()
	wine.Skip(t, "no Node.js runs inside the prefix (tus-js-client meets the same receiver on Linux)")
	tusJSOnce.Do(func() { tusJSDir, tusJSErr = installTusJS() })
	if tusJSErr != nil {
		if _, err := exec.LookPath("node"); err != nil {
			t.Skip("Node.js is not installed (apt-get install nodejs npm): tus-js-client cannot run")
		}
		t.Fatal(tusJSErr)
	}
	return tusJSDir
}

var (
	tusJSOnce sync.Once
	tusJSDir  string
	tusJSErr  error
)

func installTusJS() (string, error) {
	lock, err := os.ReadFile("testdata/tusjs/package-lock.json")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "ferry-test", "tusjs-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "tus-js-client")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		for _, f := range []string{"package.json", "package-lock.json"} {
			b, _ := os.ReadFile(filepath.Join("testdata", "tusjs", f))
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				return "", err
			}
		}
		if out, err := exec.Command("npm", "ci", "--prefix", dir, "--no-audit", "--no-fund").CombinedOutput(); err != nil {
			return "", &exec.Error{Name: "npm ci: " + string(out), Err: err}
		}
	}
	script, _ := os.ReadFile(filepath.Join("testdata", "tusjs", "upload.js"))
	return dir, os.WriteFile(filepath.Join(dir, "upload.js"), script, 0o644)
}

// nodeUpload runs upload.js; it returns what it printed and its error.
func nodeUpload(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("node", append([]string{"upload.js"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestTusJSClientInBothProtocols: tus-js-client sends files whole in tus
// and in the IETF draft (its ietf-draft-03 speaks interop version 5,
// ietf-draft-05 version 6), named as in tus, byte for byte; killed half
// way (SIGKILL), it resumes the same upload.
func TestTusJSClientInBothProtocols(t *testing.T) {
	js := tusJS(t)
	for _, protocol := range []string{"tus-v1", "ietf-draft-03", "ietf-draft-05"} {
		t.Run(protocol, func(t *testing.T) {
			dir := wine.TempDir(t)
			_, files := newTestCfg(t, Config{Dir: dir})
			src := filepath.Join(wine.TempDir(t), "whole "+protocol+".mov")
			data := randBytes(3<<20 + 77)
			os.WriteFile(src, data, 0o644)
			if out, err := nodeUpload(t, js, nil, files, src, protocol, strconv.Itoa(1<<20)); err != nil || !strings.Contains(out, "DONE") {
				t.Fatalf("tus-js-client: %v\n%s", err, out)
			}
			published(t, dir, filepath.Base(src), data)

			// Killed after 1 MiB, then resumed at its upload URL.
			dir2 := wine.TempDir(t)
			_, files2 := newTestCfg(t, Config{Dir: dir2})
			out, err := nodeUpload(t, js, nil, files2, src, protocol, strconv.Itoa(512<<10), strconv.Itoa(1<<20))
			url, _, _ := strings.Cut(strings.TrimPrefix(out[strings.Index(out, "URL ")+4:], ""), "\n")
			if err == nil || !strings.HasPrefix(url, files2) {
				t.Fatalf("the first run was not killed mid-upload (%v):\n%s", err, out)
			}
			if out, err := nodeUpload(t, js, nil, files2, src, protocol, strconv.Itoa(512<<10), "0", url); err != nil || !strings.Contains(out, "DONE "+url) {
				t.Fatalf("resume at %s: %v\n%s", url, err, out)
			}
			published(t, dir2, filepath.Base(src), data)
			if n := len(workFiles(t, dir2)); n > 2 { // the .info and .done of the one upload
				t.Fatalf("work folder holds %q: more than one upload", workFiles(t, dir2))
			}
		})
	}
}

// draftPost creates an upload in the IETF draft, interop version v, with
// body as its whole content.
func draftPost(t *testing.T, files, v string, hdr map[string]string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", files, bytes.NewReader(body))
	req.Header.Set("Upload-Draft-Interop-Version", v)
	if v == "3" {
		req.Header.Set("Upload-Incomplete", "?0")
	} else {
		req.Header.Set("Upload-Complete", "?1")
	}
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestDraftVersionsUnderTheSameRules: every interop version tusd speaks (3
// to 6) creates a file in one request; the draft meets the tus rules:
// --max-size (413, also for an upload of unknown length), the token
// beyond loopback (401), web pages not allowed (403).
func TestDraftVersionsUnderTheSameRules(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir, MaxSize: 8 << 10})
	for _, v := range []string{"3", "4", "5", "6"} {
		data := randBytes(1000)
		resp := draftPost(t, files, v, map[string]string{"Content-Disposition": `attachment; filename="v` + v + `.bin"`}, data)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("interop version %s: %d", v, resp.StatusCode)
		}
		sameContent(t, filepath.Join(dir, "v"+v+".bin"), data)
	}
	if resp := draftPost(t, files, "6", nil, randBytes(9<<10)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a complete upload over --max-size: %d", resp.StatusCode)
	}
	resp := draftPost(t, files, "6", map[string]string{"Upload-Complete": "?0"}, randBytes(9<<10))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("an upload of unknown length writing over --max-size: %d", resp.StatusCode)
	}
	if n := workBytes(t, dir); n > 4<<10 {
		t.Fatalf("%d bytes kept of refused uploads", n)
	}
	if resp := draftPost(t, files, "6", map[string]string{"Origin": "https://evil.example"}, randBytes(10)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("from a web page not allowed: %d", resp.StatusCode)
	}

	tokened := wine.TempDir(t)
	_, tokFiles := newTestCfg(t, Config{Dir: tokened, Token: "a-token-long-enough-for-the-rules"})
	if resp := draftPost(t, tokFiles, "6", nil, randBytes(10)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", resp.StatusCode)
	}
	if resp := draftPost(t, tokFiles, "6", map[string]string{"Authorization": "Bearer a-token-long-enough-for-the-rules"}, randBytes(10)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
}
