package receiver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/ferry-app/ferry/internal/wine"
)

// send makes one raw request, as an attacker would, and returns its status
// and body.
func send(t *testing.T, method, url string, hdr map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// workFiles lists the work folder (without leftovers of the probe).
func workFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, WorkDirName))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// plantInfo writes a filestore .info, as an attacker who can write
// somewhere on the machine would, claiming the data of target.
func plantInfo(t *testing.T, infoPath, target string, size int) {
	t.Helper()
	os.MkdirAll(filepath.Dir(infoPath), 0o755)
	b, _ := json.Marshal(map[string]any{
		"ID": "b", "Size": size, "IsPartial": true, "MetaData": map[string]string{"filename": "stolen.txt"},
		"Storage": map[string]string{"Type": "filestore", "Path": target},
	})
	if err := os.WriteFile(infoPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The concatenation trick: tusd splits Upload-Concat on single spaces only,
// so a tab glues "/files/a" to a path that climbs out of the work folder
// to a planted .info naming any file the server can read.
func TestConcatTabCannotReachOutside(t *testing.T) {
	root := wine.TempDir(t)
	dir := filepath.Join(root, "in")
	_, files := newTest(t, dir, nil)
	secret := []byte("private key material")
	target := filepath.Join(root, "secret")
	os.WriteFile(target, secret, 0o600)
	plantInfo(t, filepath.Join(root, "evil", "files", "b.info"), target, len(secret))

	climb := "/" + strings.Repeat("../", 12) + strings.TrimPrefix(filepath.Join(root, "evil"), "/") + "/files/b"
	// (Go refuses other control characters in header values, as browsers do.)
	for _, sep := range []string{"\t", " \t", "\t\t", "\u0085", "\u00a0", "\u2028"} {
		h := "final;/files/a" + sep + climb
		resp, body := send(t, "POST", files, map[string]string{"Upload-Concat": h, "Upload-Metadata": meta("filename", "x.txt")}, nil)
		if resp.StatusCode == http.StatusCreated {
			t.Errorf("separator %q: created %s", sep, resp.Header.Get("Location"))
		}
		if strings.Contains(body, root) {
			t.Errorf("separator %q: answer names a server path: %q", sep, body)
		}
	}
	for _, name := range visible(t, dir) {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); bytes.Equal(b, secret) {
			t.Fatalf("the secret was copied into the receive folder as %s", name)
		}
	}
	if w := workFiles(t, dir); len(w) != 0 {
		t.Fatalf("work folder holds %q", w)
	}
}

// Whether a path exists, is a folder, or holds an upload record, the answer
// to a request naming it is the same: the receiver reveals nothing of the
// machine's files.
func TestAnswersDoNotRevealPaths(t *testing.T) {
	root := wine.TempDir(t)
	dir := filepath.Join(root, "in")
	_, files := newTest(t, dir, nil)
	os.WriteFile(filepath.Join(root, "exists.info"), []byte("{}"), 0o644)
	plantInfo(t, filepath.Join(root, "files", "b.info"), "/etc/hostname", 5)
	os.MkdirAll(filepath.Join(root, "adir.info"), 0o755)
	up := "/" + strings.Repeat("../", 12) + strings.TrimPrefix(root, "/")

	type answer struct {
		status int
		body   string
	}
	ask := func(method, url string, hdr map[string]string) answer {
		resp, body := send(t, method, url, hdr, nil)
		return answer{resp.StatusCode, body}
	}
	concat := func(ids string) answer {
		return ask("POST", files, map[string]string{"Upload-Concat": "final;" + ids})
	}
	unknownPart := concat("/files/0123456789abcdef0123456789abcdef")
	if unknownPart.status != http.StatusNotFound {
		t.Fatalf("unknown part: %+v", unknownPart)
	}
	for _, ids := range []string{
		"/files/a\t" + up + "/exists",
		"/files/a\t" + up + "/missing",
		"/files/a\t" + up + "/adir",
		"/files/a\t" + up + "/files/b",
		"/files/..%2F..%2Fexists",
		"/files/" + up + "/exists",
		"/files/a /files/b\t" + up + "/files/b",
	} {
		if got := concat(ids); got != unknownPart {
			t.Errorf("Upload-Concat final;%q: %+v, want the answer for an unknown upload %+v", ids, got, unknownPart)
		}
	}
	unknown := ask("HEAD", files+"0123456789abcdef0123456789abcdef", nil)
	for _, p := range []string{"..%2Fexists", "..%2F..%2Fexists", "a%09..%2F..%2Fexists", "..%2Fadir", "%2E%2E", "UPPERCASE0123456789ABCDEF0123456"} {
		for _, m := range []string{"HEAD", "PATCH", "DELETE"} {
			got := ask(m, files+p, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
			if got.status != http.StatusNotFound || strings.Contains(got.body, root) {
				t.Errorf("%s %s: %+v", m, p, got)
			}
			if m == "HEAD" && got != unknown {
				t.Errorf("HEAD %s: %+v, want %+v", p, got, unknown)
			}
		}
	}
}

// A work folder planted as a symbolic link before the receiver starts would
// send every upload where it points.
func TestSymlinkedWorkFolderRefused(t *testing.T) {
	root := wine.TempDir(t)
	dir, elsewhere := filepath.Join(root, "in"), filepath.Join(root, "elsewhere")
	os.MkdirAll(dir, 0o755)
	os.MkdirAll(elsewhere, 0o755)
	if err := os.Symlink(elsewhere, filepath.Join(dir, WorkDirName)); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, WorkDirName)); err != nil {
		wine.Skip(t, "it says a symbolic link was made, and none is there")
	}
	_, err := New(Config{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") || !strings.Contains(err.Error(), filepath.Join(dir, WorkDirName)) {
		t.Fatalf("New: %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Fatalf("wrote into the link's target: %v", entries)
	}
}

// Names that only differ by Unicode normalisation or by invisible
// characters look the same in a file manager: the second is numbered.
func TestLookAlikeNamesAreNumbered(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	nfc := norm.NFC.String("café.txt")
	for i, name := range []string{
		nfc,
		norm.NFD.String("café.txt"),
		"caf\u200bé.txt",                      // zero-width space
		"\u202ecafé.txt",                      // right-to-left override
		"café\u200e.txt",                      // left-to-right mark
		"\ufeffcafé.txt",                      // byte order mark
		"ca\u00adfé.txt",                      // soft hyphen
		"caf" + norm.NFD.String("é") + ".txt", // combining accent
	} {
		upload(t, files, []byte(strconv.Itoa(i)), meta("filename", name))
	}
	want := map[string]bool{nfc: true}
	for i := 1; i < 8; i++ {
		want[norm.NFC.String(fmt.Sprintf("café (%d).txt", i))] = true
	}
	got := visible(t, dir)
	if len(got) != len(want) {
		t.Fatalf("Dir holds %q", got)
	}
	for _, n := range got {
		if !want[n] {
			t.Errorf("unexpected name %q (%+q)", n, n)
		}
	}
}

// Both ways a file can finish: by PATCH (the name comes back from the
// .info) and in the creation request itself (the name as sent).
func TestInvalidUTF8NameKeepsItsExtension(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	for i, name := range []string{"\xff\xfe.mp4", "caf\xe9.mp4", "\xc3.mp4", "\xe9t\xe9 " + strings.Repeat("\xff", 300) + ".mp4"} {
		for _, withBody := range []bool{false, true} {
			data := []byte(fmt.Sprint(i, withBody))
			if withBody {
				resp, body := send(t, "POST", files, map[string]string{"Upload-Length": strconv.Itoa(len(data)),
					"Upload-Metadata": meta("filename", name), "Content-Type": "application/offset+octet-stream"}, bytes.NewReader(data))
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("POST %q: %d %s", name, resp.StatusCode, body)
				}
			} else {
				upload(t, files, data, meta("filename", name))
			}
			var placed string
			for _, n := range visible(t, dir) {
				if b, _ := os.ReadFile(filepath.Join(dir, n)); bytes.Equal(b, data) {
					placed = n
				}
			}
			if !strings.HasSuffix(placed, ".mp4") || strings.HasPrefix(placed, ".") || len(placed) > 255 {
				t.Errorf("%q (creation with upload: %v) landed as %q", name, withBody, placed)
			}
		}
	}
}

// The 10,001st "a.txt" still finds a free name, and finding it does not
// take ten thousand tries.
func TestManySameNamesStillFindAFreeName(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	os.WriteFile(filepath.Join(dir, "a.txt"), nil, 0o644)
	for i := 1; i < 10000; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("a (%d).txt", i)), nil, 0o644)
	}
	start := time.Now()
	for i := range 20 {
		data := []byte(strconv.Itoa(i))
		upload(t, files, data, meta("filename", "a.txt"))
		sameContent(t, filepath.Join(dir, fmt.Sprintf("a (%d).txt", 10000+i)), data)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("20 uploads took %v", d)
	}
	// With holes (files deleted), a new one still lands, and never on top.
	os.Remove(filepath.Join(dir, "a (5000).txt"))
	upload(t, files, []byte("hole"), meta("filename", "a.txt"))
	if got := len(visible(t, dir)); got != 10000+20 {
		t.Fatalf("%d files", got)
	}
}
