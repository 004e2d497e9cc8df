package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// ferryIn runs the binary with stdin. A command that should have ended
// and hangs fails its test, not the whole run.
func ferryIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ferryBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ctx.Err() != nil {
		t.Fatalf("ferry %s still running after 3 minutes:\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// noSecrets fails if a secret shows in any of the texts or in ferry.db.
func noSecrets(t *testing.T, data string, secrets []string, texts ...string) {
	t.Helper()
	db, _ := os.ReadFile(filepath.Join(data, "ferry.db"))
	texts = append(texts, string(db))
	for _, s := range secrets {
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Fatalf("the secret %q shows: %.300s", s, text)
			}
		}
	}
}

// resultJSON reads ferry upload --json's only line.
func resultJSON(t *testing.T, out string) resultLine {
	t.Helper()
	var r resultLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
		t.Fatalf("--json: %q: %v", out, err)
	}
	return r
}

func TestDestTusSavedByName(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t, tustest.WithAuth("s3cr3t-t0ken"))
	data := wine.TempDir(t)
	r := ferry(t, "dest", "add", "studio", "--data-dir", data, "--kind", "tus", "--url", srv.URL,
		"--header", "Authorization: Bearer s3cr3t-t0ken", "--meta", "project=film")
	if r.code != 0 {
		t.Fatalf("dest add: exit %d %s", r.code, r.stderr)
	}
	list := ferry(t, "dest", "list", "--json", "--data-dir", data)
	show := ferry(t, "dest", "show", "studio", "--data-dir", data)
	if !strings.Contains(list.stdout, `"default":true`) || !strings.Contains(show.stdout, "Authorization: (in the keychain)") {
		t.Fatalf("list %s\nshow %s", list.stdout, show.stdout)
	}
	if test := ferry(t, "dest", "test", "studio", "--data-dir", data); test.code != 0 {
		t.Fatalf("dest test: exit %d %s", test.code, test.stderr)
	}
	// The test asks with the credentials: a wrong token, or none, is refused.
	ferry(t, "dest", "add", "wrong", "--data-dir", data, "--kind", "tus", "--url", srv.URL, "--header", "Authorization: Bearer nope")
	ferry(t, "dest", "add", "none", "--data-dir", data, "--kind", "tus", "--url", srv.URL)
	for _, name := range []string{"wrong", "none"} {
		test := ferry(t, "dest", "test", name, "--data-dir", data)
		if want := "ferry: " + name + ": The server refused the credentials (401). Check the Authorization header saved for " + name + ", or the token in it.\n"; test.code != 1 || test.stderr != want {
			t.Fatalf("dest test %s: exit %d %q, want %q", name, test.code, test.stderr, want)
		}
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "s.mp4", 3<<20, 1)
	up := ferry(t, "upload", "--json", "--data-dir", data, "--to", "studio", p)
	if up.code != 0 {
		t.Fatalf("upload --to studio: exit %d %s", up.code, up.stderr)
	}
	if got, _ := srv.UploadByName("s.mp4"); got.SHA256 != sha || got.MetaData["project"] != "film" || srv.Created() != 1 {
		t.Fatalf("arrived %+v, created %d", got, srv.Created())
	}
	q := ferry(t, "queue", "--json", "--data-dir", data)
	noSecrets(t, data, []string{"s3cr3t-t0ken"}, r.stdout, r.stderr, list.stdout, show.stdout, up.stdout, up.stderr, q.stdout)
	// The default destination needs no --to.
	p2, _ := tustest.RandomFile(t, wine.TempDir(t), "s2.mp4", 1<<10, 2)
	if r := ferry(t, "upload", "--data-dir", data, p2); r.code != 0 {
		t.Fatalf("upload to the default: exit %d %s", r.code, r.stderr)
	}
	if r := ferry(t, "dest", "test", "nope", "--data-dir", data); r.code == 0 {
		t.Fatal("dest test of an unknown destination passed")
	}
	if r := ferry(t, "upload", "--data-dir", data, "--to", "nope", p2); r.code != 2 || !strings.Contains(r.stderr, "nope") {
		t.Fatalf("unknown --to: exit %d %s", r.code, r.stderr)
	}
}

func TestDestCloudflareKeepsStreamsRules(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{CutEvery: 7 << 20, CutSeed: 5}))
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf-t0ken")
	t.Setenv("FERRY_CLOUDFLARE_API", cf.Base)
	data := wine.TempDir(t)
	add := ferryIn(t, "cf-t0ken\n", "dest", "add", "stream", "--data-dir", data, "--kind", "cloudflare",
		"--account", tustest.CloudflareAccount, "--token-stdin", "--chunk-size", "5MiB", "--meta", "requiresignedurls=")
	if add.code != 0 {
		t.Fatalf("dest add: exit %d %s", add.code, add.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "cf.mp4", 23<<20, 3)
	up := ferry(t, "upload", "--json", "--data-dir", data, "--to", "stream", p)
	if up.code != 0 {
		t.Fatalf("upload: exit %d %s", up.code, up.stderr)
	}
	res := resultJSON(t, up.stdout)
	if res.MediaID == "" || !strings.Contains(strings.Join(cf.MediaIDs(), " "), res.MediaID) {
		t.Fatalf("media id %q, stand-in has %v", res.MediaID, cf.MediaIDs())
	}
	if v := cf.Violations(); len(v) > 0 {
		t.Fatalf("Stream's chunk rules broken: %v", v)
	}
	if cf.LeakedAuth() != 0 {
		t.Fatal("the API token went to the upload host")
	}
	if got, _ := srv.UploadByName("cf.mp4"); got.SHA256 != sha || cf.URLsIssued() != 1 {
		t.Fatalf("sha ok=%v, URLs issued %d", got.SHA256 == sha, cf.URLsIssued())
	}
	noSecrets(t, data, []string{"cf-t0ken"}, add.stdout, add.stderr, up.stdout, up.stderr)
	// A refused token is a sentence, not a retry loop.
	const refused = "Cloudflare refused the API token (401). Check the API token saved for bad."
	ferryIn(t, "wrong\n", "dest", "add", "bad", "--data-dir", data, "--kind", "cloudflare", "--account", tustest.CloudflareAccount, "--token-stdin")
	p2, _ := tustest.RandomFile(t, wine.TempDir(t), "x.mp4", 1<<10, 4)
	if r := ferry(t, "upload", "--data-dir", data, "--to", "bad", p2); r.code != 1 || !strings.Contains(r.stderr, refused) {
		t.Fatalf("wrong token: exit %d %s", r.code, r.stderr)
	}
	if r := ferry(t, "dest", "test", "bad", "--data-dir", data); r.code != 1 || !strings.Contains(r.stderr, refused) {
		t.Fatalf("dest test of a wrong token: exit %d %s", r.code, r.stderr)
	}
	if r := ferry(t, "dest", "test", "stream", "--data-dir", data); r.code != 0 || r.stdout != "stream answers as it should.\n" {
		t.Fatalf("dest test of the right token: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// An account id is 32 hexadecimal characters: anything else is
	// refused before it is saved.
	add = ferryIn(t, "cf-t0ken\n", "dest", "add", "typo", "--data-dir", data, "--kind", "cloudflare", "--account", "abc 123", "--token-stdin")
	if add.code != 2 || !strings.Contains(add.stderr, `"abc 123" is not a Cloudflare account id`) {
		t.Fatalf("dest add with account \"abc 123\": exit %d %s", add.code, add.stderr)
	}
	if r := ferry(t, "dest", "show", "typo", "--data-dir", data); r.code == 0 {
		t.Fatalf("the bad account id was saved: %s", r.stdout)
	}
	// Another account than the token's: the test names the account.
	const other = "0123456789abcdef0123456789abcdef"
	ferryIn(t, "cf-t0ken\n", "dest", "add", "elsewhere", "--data-dir", data, "--kind", "cloudflare", "--account", other, "--token-stdin")
	if r := ferry(t, "dest", "test", "elsewhere", "--data-dir", data); r.code != 1 || !strings.Contains(r.stderr, "Cloudflare does not know the account "+other+" (404)") {
		t.Fatalf("dest test of another account: exit %d %s", r.code, r.stderr)
	}
}

func TestDestBackendAsksAgainWhenItsURLExpires(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	// A slow link that cuts now and then: some request after the first
	// URL died finds it gone.
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 2 << 20, CutEvery: 2 << 20, CutSeed: 1}))
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf-secret")
	backend := tustest.NewBackend(t, cf, "X-App-Key", "app-k3y")
	cf.ExpireAfter(1500 * time.Millisecond)
	data := wine.TempDir(t)
	if r := ferry(t, "dest", "add", "app", "--data-dir", data, "--kind", "backend", "--url", backend.URL, "--header", "X-App-Key: app-k3y"); r.code != 0 {
		t.Fatalf("dest add: exit %d %s", r.code, r.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "b.mp4", 6<<20, 5)
	cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", "app", p)
	// The first URL dies mid-upload; the ones after it last.
	for deadline := time.Now().Add(10 * time.Second); cf.URLsIssued() < 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no upload URL asked for\n%s", out)
		}
	}
	cf.ExpireAfter(time.Hour)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	var found bool
	for _, up := range srv.Uploads() {
		found = found || (up.Done && up.SHA256 == sha)
	}
	if !found || backend.Asked() != 2 || cf.URLsIssued() != 2 {
		t.Fatalf("arrived %v; backend asked %d times, URLs issued %d\n%s", found, backend.Asked(), cf.URLsIssued(), out)
	}
	if cf.LeakedAuth() != 0 {
		t.Fatal("the backend's key went to the upload host")
	}
	q := ferry(t, "queue", "--data-dir", data)
	if !strings.Contains(q.stdout, "no longer had the upload") {
		t.Fatalf("no note of the new URL: %s", q.stdout)
	}
	noSecrets(t, data, []string{"app-k3y"}, out.String(), q.stdout)
	// Without the backend's key: refused, said once, not retried. A test
	// cannot tell without asking for an upload, and says so.
	ferry(t, "dest", "add", "nokey", "--data-dir", data, "--kind", "backend", "--url", backend.URL)
	if r := ferry(t, "dest", "test", "nokey", "--data-dir", data); r.code != 0 || !strings.Contains(r.stdout, "shows at the first upload") {
		t.Fatalf("dest test of a backend: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	p2, _ := tustest.RandomFile(t, wine.TempDir(t), "k.mp4", 1<<10, 6)
	if r := ferry(t, "upload", "--data-dir", data, "--to", "nokey", p2); r.code != 1 || !strings.Contains(r.stderr, "401") {
		t.Fatalf("no key: exit %d %s", r.code, r.stderr)
	}
}

func TestDestVimeoKeepsTheVideosLink(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t)
	vm := tustest.NewVimeo(t, srv, "vimeo-t0ken")
	t.Setenv("FERRY_VIMEO_API", vm.Base)
	data := wine.TempDir(t)
	if r := ferryIn(t, "vimeo-t0ken", "dest", "add", "vm", "--data-dir", data, "--kind", "vimeo", "--token-stdin"); r.code != 0 {
		t.Fatalf("dest add: exit %d %s", r.code, r.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "v.mp4", 3<<20, 6)
	up := ferry(t, "upload", "--json", "--data-dir", data, "--to", "vm", p)
	if up.code != 0 {
		t.Fatalf("upload: exit %d %s", up.code, up.stderr)
	}
	if res := resultJSON(t, up.stdout); !strings.HasPrefix(res.Link, "https://vimeo.com/") {
		t.Fatalf("link %q", res.Link)
	}
	var ok bool
	for _, u := range srv.Uploads() {
		ok = ok || (u.Done && u.SHA256 == sha)
	}
	if !ok || vm.Created() != 1 || srv.Created() != 1 || vm.LeakedAuth() != 0 {
		t.Fatalf("arrived %v, videos %d, uploads %d, leaked %d", ok, vm.Created(), srv.Created(), vm.LeakedAuth())
	}
	noSecrets(t, data, []string{"vimeo-t0ken"}, up.stdout, up.stderr)
	ferryIn(t, "nope", "dest", "add", "vm2", "--data-dir", data, "--kind", "vimeo", "--token-stdin")
	const refused = "Vimeo refused the access token (401). Check the access token saved for vm2."
	if r := ferry(t, "upload", "--data-dir", data, "--to", "vm2", p); r.code != 1 || !strings.Contains(r.stderr, refused) {
		t.Fatalf("wrong token: exit %d %s", r.code, r.stderr)
	}
	if r := ferry(t, "dest", "test", "vm2", "--data-dir", data); r.code != 1 || !strings.Contains(r.stderr, refused) {
		t.Fatalf("dest test of a wrong token: exit %d %s", r.code, r.stderr)
	}
	if r := ferry(t, "dest", "test", "vm", "--data-dir", data); r.code != 0 {
		t.Fatalf("dest test of the right token: exit %d %s", r.code, r.stderr)
	}
}

func TestDestBuiltinReceives(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	data, recv := wine.TempDir(t), wine.TempDir(t)
	if r := ferry(t, "dest", "add", "here", "--data-dir", data, "--kind", "builtin", "--dir", recv); r.code != 0 {
		t.Fatalf("dest add: exit %d %s", r.code, r.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "home.mov", 2<<20, 7)
	if r := ferry(t, "upload", "--data-dir", data, "--to", "here", p); r.code != 0 {
		t.Fatalf("upload: exit %d %s", r.code, r.stderr)
	}
	if got := tustest.FileSHA256(t, filepath.Join(recv, "home.mov")); got != sha {
		t.Fatal("the file did not arrive whole")
	}
}

// A name may hold spaces: the CLI quotes it where it shows a command, and
// uploads to it by that name. What is wrong with the settings is said
// before a missing token.
func TestDestNameWithSpaces(t *testing.T) {
	srv := tustest.New(t)
	data := wine.TempDir(t)
	r := ferry(t, "dest", "add", "Studio NAS", "--kind", "tus", "--url", srv.URL, "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, `--to "Studio NAS" FILE`) {
		t.Fatalf("add: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "a.mp4", 1<<16, 3)
	if r := ferry(t, "upload", "--to", "Studio NAS", "--data-dir", data, p); r.code != 0 {
		t.Fatalf("upload: exit %d %s", r.code, r.stderr)
	}
	if ups := srv.Uploads(); len(ups) != 1 || ups[0].SHA256 != sha {
		t.Fatalf("uploads %+v", ups)
	}
	for _, bad := range []string{" lead", "trail ", "a/b"} {
		if r := ferry(t, "dest", "add", bad, "--kind", "tus", "--url", srv.URL, "--data-dir", data); r.code != 2 || !strings.Contains(r.stderr, "name") {
			t.Fatalf("%q: exit %d %q", bad, r.code, r.stderr)
		}
	}
	r = ferry(t, "dest", "add", "cf", "--kind", "cloudflare", "--account", "abc 123", "--data-dir", data)
	if r.code != 2 || !strings.Contains(r.stderr, "is not a Cloudflare account id") {
		t.Fatalf("a bad account without a token: exit %d %q", r.code, r.stderr)
	}
}
