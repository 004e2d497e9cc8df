package tustest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// --- plain net/http tus requests, for the stand-ins ---

func siClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// siTry sends one request (Tus-Resumable unless hdr sets it to "") with
// body of length n (-1: unknown, sent chunked) and reads the whole answer.
func siTry(c *http.Client, method, u string, body io.Reader, n int64, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.ContentLength = n
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func siDo(t *testing.T, c *http.Client, method, u string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	resp, b, err := siTry(c, method, u, rd, int64(len(body)), hdr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, b
}

func siPatch(c *http.Client, u string, off int64, data []byte, hdr map[string]string) (*http.Response, []byte, error) {
	h := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.FormatInt(off, 10)}
	for k, v := range hdr {
		h[k] = v
	}
	return siTry(c, "PATCH", u, bytes.NewReader(data), int64(len(data)), h)
}

func siMustPatch(t *testing.T, c *http.Client, u string, off int64, data []byte) *http.Response {
	t.Helper()
	resp, b, err := siPatch(c, u, off, data, nil)
	if err != nil {
		t.Fatalf("PATCH %s at %d: %v", u, off, err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PATCH %s at %d (%d bytes): %d %s", u, off, len(data), resp.StatusCode, b)
	}
	return resp
}

func siOffset(t *testing.T, c *http.Client, u string) int64 {
	t.Helper()
	resp, _ := siDo(t, c, "HEAD", u, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD %s: %d", u, resp.StatusCode)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		t.Fatalf("HEAD %s: Upload-Offset: %v", u, err)
	}
	return n
}

func siBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), 0x51}).Read(b)
	return b
}

func siSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func origin(t *testing.T, s string) string {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		t.Fatalf("not an absolute URL: %q", s)
	}
	return u.Scheme + "://" + u.Host
}

// checkStored checks that srv holds exactly one upload per want, in
// order, complete and with the SHA-256 of the bytes.
func checkStored(t *testing.T, srv *Server, want ...[]byte) []Upload {
	t.Helper()
	ups := srv.Uploads()
	if len(ups) != len(want) || srv.Created() != len(want) {
		t.Fatalf("tusd holds %d uploads, created %d; want %d", len(ups), srv.Created(), len(want))
	}
	for i, u := range ups {
		if !u.Done || u.SHA256 != siSHA(want[i]) {
			t.Fatalf("upload %d: done %v, %d of %d bytes, sha %s, want %s", i, u.Done, u.Offset, u.Size, u.SHA256, siSHA(want[i]))
		}
	}
	return ups
}

// cfCreate asks the Cloudflare stand-in for an upload and returns the
// Location and the stream-media-id.
func cfCreate(t *testing.T, c *http.Client, cf *Cloudflare, size int, meta string) (string, string) {
	t.Helper()
	resp, b := siDo(t, c, "POST", cf.Base+"/accounts/"+cf.Account+"/stream", nil, map[string]string{
		"Authorization":   "Bearer " + cf.Token,
		"Upload-Length":   strconv.Itoa(size),
		"Upload-Metadata": meta,
	})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	loc, mid := resp.Header.Get("Location"), resp.Header.Get("Stream-Media-ID")
	if loc == "" || mid == "" {
		t.Fatalf("create: Location %q, stream-media-id %q", loc, mid)
	}
	return loc, mid
}

// uploadStream sends data to u in Stream-legal chunks of chunk bytes.
func uploadStream(t *testing.T, c *http.Client, u string, data []byte, chunk int) {
	t.Helper()
	for off := 0; off < len(data); {
		n := min(chunk, len(data)-off)
		siMustPatch(t, c, u, int64(off), data[off:off+n])
		off += n
	}
}

// --- Cloudflare ---

func TestCloudflareStandinUpload(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "cf-token")
	c := siClient(t)
	data := siBytes(11<<20+12345, 1)

	loc, mid := cfCreate(t, c, cf, len(data), "name "+b64("clip.mp4")+",requiresignedurls")
	if origin(t, loc) == origin(t, cf.Base) {
		t.Fatalf("upload URL %s is on the API's origin %s", loc, cf.Base)
	}
	if got := cf.MediaIDs(); !slices.Equal(got, []string{mid}) {
		t.Fatalf("MediaIDs %v, want [%s]", got, mid)
	}
	resp, _ := siDo(t, c, "HEAD", loc, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Upload-Offset") != "0" || resp.Header.Get("Stream-Media-ID") != mid {
		t.Fatalf("HEAD: %d offset %q media %q", resp.StatusCode, resp.Header.Get("Upload-Offset"), resp.Header.Get("Stream-Media-ID"))
	}
	p := siMustPatch(t, c, loc, 0, data[:5<<20])
	if p.Header.Get("Stream-Media-ID") != mid || p.Header.Get("Upload-Offset") != strconv.Itoa(5<<20) {
		t.Fatalf("PATCH answer: media %q offset %q", p.Header.Get("Stream-Media-ID"), p.Header.Get("Upload-Offset"))
	}
	siMustPatch(t, c, loc, 5<<20, data[5<<20:10<<20])
	siMustPatch(t, c, loc, 10<<20, data[10<<20:]) // the last chunk: any size
	ups := checkStored(t, srv, data)
	if ups[0].MetaData["name"] != "clip.mp4" {
		t.Fatalf("metadata %v", ups[0].MetaData)
	}
	if len(cf.Violations()) != 0 || cf.LeakedAuth() != 0 || cf.URLsIssued() != 1 {
		t.Fatalf("violations %q, leaked %d, issued %d", cf.Violations(), cf.LeakedAuth(), cf.URLsIssued())
	}
}

func TestCloudflareStandinChunkRules(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "tok")
	c := siClient(t)
	data := siBytes(12<<20+7, 2)
	loc, mid := cfCreate(t, c, cf, len(data), "name "+b64("rules.mp4"))

	for i, tc := range []struct {
		n    int
		want string
	}{
		{1 << 20, "smaller than 5 MiB"},
		{5<<20 + 1, "not a multiple of 256 KiB"},
		{256 << 10, "smaller than 5 MiB"},
	} {
		resp, b, err := siPatch(c, loc, 0, data[:tc.n], nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 || !strings.Contains(string(b), tc.want) {
			t.Fatalf("PATCH of %d bytes: %d %q, want 400 %q", tc.n, resp.StatusCode, b, tc.want)
		}
		if v := cf.Violations(); len(v) != i+1 || !strings.Contains(v[i], tc.want) || !strings.Contains(v[i], mid) {
			t.Fatalf("Violations %q", v)
		}
	}
	if off := siOffset(t, c, loc); off != 0 {
		t.Fatalf("refused chunks reached tusd: offset %d", off)
	}

	// A legal chunk, with the token leaking to the upload host.
	resp, b, err := siPatch(c, loc, 0, data[:5<<20], map[string]string{"Authorization": "Bearer tok"})
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("PATCH 5 MiB: %v %v %s", err, resp, b)
	}
	if cf.LeakedAuth() != 1 {
		t.Fatalf("LeakedAuth %d, want 1", cf.LeakedAuth())
	}
	// tusd's own answers pass through, also when it does not read the body.
	if resp, b, err = siPatch(c, loc, 0, data[:5<<20], nil); err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("PATCH at a stale offset: %v %v %s", err, resp, b)
	}

	// A chunked PATCH is judged once it arrived: tusd has it, the client
	// is told 400, the violation is recorded.
	off := int64(5 << 20)
	chunk := data[off : off+1<<20]
	resp, b, err = siTry(c, "PATCH", loc, io.MultiReader(bytes.NewReader(chunk)), -1, map[string]string{
		"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.FormatInt(off, 10)})
	if err != nil || resp.StatusCode != 400 || !strings.Contains(string(b), "smaller than 5 MiB") {
		t.Fatalf("chunked PATCH: %v %v %s", err, resp, b)
	}
	if n := len(cf.Violations()); n != 4 {
		t.Fatalf("%d violations, want 4", n)
	}
	off = siOffset(t, c, loc)
	if off != 6<<20 {
		t.Fatalf("offset %d after the chunked PATCH, want %d", off, 6<<20)
	}

	// The last chunk may be any size.
	siMustPatch(t, c, loc, off, data[off:])
	checkStored(t, srv, data)
	if n := len(cf.Violations()); n != 4 {
		t.Fatalf("%d violations, want 4", n)
	}
}

func TestCloudflareStandinChunkMax(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 200 MiB")
	}
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "tok")
	c := siClient(t)
	loc, _ := cfCreate(t, c, cf, 300<<20, "")
	n := int64(200<<20 + 256<<10)
	resp, b, err := siTry(c, "PATCH", loc, io.LimitReader(zeros{}, n), n, map[string]string{
		"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
	if err != nil || resp.StatusCode != 400 || !strings.Contains(string(b), "larger than 200 MiB") {
		t.Fatalf("PATCH of 200.25 MiB: %v %v %s", err, resp, b)
	}
	if len(cf.Violations()) != 1 {
		t.Fatalf("Violations %q", cf.Violations())
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestCloudflareStandinAuth(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "right")
	c := siClient(t)
	endpoint := cf.Base + "/accounts/" + CloudflareAccount + "/stream"
	hdr := func(auth string) map[string]string {
		return map[string]string{"Authorization": auth, "Upload-Length": "10"}
	}
	for _, auth := range []string{"Bearer wrong", "", "Basic cmlnaHQ=", "Bearer"} {
		resp, b := siDo(t, c, "POST", endpoint, nil, hdr(auth))
		var e struct {
			Success bool
			Errors  []struct {
				Code    int
				Message string
			}
		}
		if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != 401 || e.Success ||
			len(e.Errors) != 1 || e.Errors[0].Code != 10000 || e.Errors[0].Message != "Authentication error" {
			t.Fatalf("Authorization %q: %d %s", auth, resp.StatusCode, b)
		}
	}
	resp, b := siDo(t, c, "POST", cf.Base+"/accounts/other/stream", nil, hdr("Bearer right"))
	if resp.StatusCode != 404 || !strings.Contains(string(b), `"success":false`) {
		t.Fatalf("other account: %d %s", resp.StatusCode, b)
	}
	resp, b = siDo(t, c, "POST", endpoint, nil, map[string]string{"Authorization": "Bearer right"})
	if resp.StatusCode != 400 {
		t.Fatalf("no Upload-Length: %d %s", resp.StatusCode, b)
	}
	if srv.Created() != 0 || cf.URLsIssued() != 0 {
		t.Fatalf("refused requests created %d uploads, %d URLs", srv.Created(), cf.URLsIssued())
	}
	// The scheme is case-insensitive; the list and verify calls take the token too.
	resp, b = siDo(t, c, "POST", endpoint+"?direct_user=true", nil, hdr("bearer right"))
	if resp.StatusCode != 201 {
		t.Fatalf("bearer right: %d %s", resp.StatusCode, b)
	}
	resp, b = siDo(t, c, "GET", endpoint+"?limit=1", nil, hdr("Bearer right"))
	if resp.StatusCode != 200 || !strings.Contains(string(b), cf.MediaIDs()[0]) {
		t.Fatalf("list: %d %s", resp.StatusCode, b)
	}
	if resp, _ = siDo(t, c, "GET", endpoint, nil, hdr("Bearer wrong")); resp.StatusCode != 401 {
		t.Fatalf("list with a wrong token: %d", resp.StatusCode)
	}
	if resp, b = siDo(t, c, "GET", cf.Base+"/user/tokens/verify", nil, hdr("Bearer right")); resp.StatusCode != 200 || !strings.Contains(string(b), `"status":"active"`) {
		t.Fatalf("verify: %d %s", resp.StatusCode, b)
	}
	for _, auth := range []string{"Bearer wrong", ""} {
		if resp, b = siDo(t, c, "GET", cf.Base+"/user/tokens/verify", nil, hdr(auth)); resp.StatusCode != 401 || !strings.Contains(string(b), `"code":1000`) {
			t.Fatalf("verify %q: %d %s", auth, resp.StatusCode, b)
		}
	}
	if srv.Created() != 1 || cf.URLsIssued() != 1 {
		t.Fatalf("created %d, issued %d, want 1", srv.Created(), cf.URLsIssued())
	}
	// A disabled token is verified as such, and refused everywhere else.
	cf.SetTokenStatus("disabled")
	if resp, b = siDo(t, c, "GET", cf.Base+"/user/tokens/verify", nil, hdr("Bearer right")); resp.StatusCode != 200 || !strings.Contains(string(b), `"status":"disabled"`) {
		t.Fatalf("verify a disabled token: %d %s", resp.StatusCode, b)
	}
	if resp, _ = siDo(t, c, "GET", endpoint, nil, hdr("Bearer right")); resp.StatusCode != 401 {
		t.Fatalf("list with a disabled token: %d", resp.StatusCode)
	}
}

func TestCloudflareStandinExpiry(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "tok")
	c := siClient(t)
	data := siBytes(6<<20, 3)

	before, _ := cfCreate(t, c, cf, len(data), "")
	const d = 400 * time.Millisecond
	cf.ExpireAfter(d)
	issued := time.Now()
	loc, mid := cfCreate(t, c, cf, len(data), "")
	siMustPatch(t, c, loc, 0, data[:5<<20])
	time.Sleep(time.Until(issued.Add(d + 50*time.Millisecond)))

	resp, _ := siDo(t, c, "HEAD", loc, nil, nil)
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Stream-Media-ID") != mid {
		t.Fatalf("HEAD after expiry: %d, media %q", resp.StatusCode, resp.Header.Get("Stream-Media-ID"))
	}
	resp, b, err := siPatch(c, loc, 5<<20, data[5<<20:], nil)
	if err != nil || resp.StatusCode != http.StatusGone || strings.TrimSpace(string(b)) != "upload expired" {
		t.Fatalf("PATCH after expiry: %v %v %q", err, resp, b)
	}
	if resp, _ := siDo(t, c, "OPTIONS", loc, nil, nil); resp.StatusCode/100 != 2 {
		t.Fatalf("OPTIONS after expiry: %d", resp.StatusCode)
	}
	// A URL issued before ExpireAfter does not expire.
	uploadStream(t, c, before, data, 5<<20)

	// 404 instead, and an expiry from Upload-Metadata, announced.
	cf.ExpireAfter(0)
	cf.SetExpiredStatus(http.StatusNotFound)
	cf.AnnounceExpiry(true)
	at := time.Now().Add(300 * time.Millisecond)
	loc2, _ := cfCreate(t, c, cf, 10, "expiry "+b64(at.UTC().Format(time.RFC3339Nano)))
	resp, _ = siDo(t, c, "HEAD", loc2, nil, nil)
	if exp, err := http.ParseTime(resp.Header.Get("Upload-Expires")); resp.StatusCode != 200 || err != nil || exp.Sub(at).Abs() > time.Second {
		t.Fatalf("HEAD before the metadata's expiry: %d, Upload-Expires %q", resp.StatusCode, resp.Header.Get("Upload-Expires"))
	}
	time.Sleep(time.Until(at.Add(50 * time.Millisecond)))
	resp, b, _ = siPatch(c, loc2, 0, make([]byte, 10), nil)
	if resp == nil || resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "upload expired") {
		t.Fatalf("PATCH after the metadata's expiry: %v %q", resp, b)
	}
	if cf.URLsIssued() != 3 || srv.Created() != 3 {
		t.Fatalf("issued %d, created %d, want 3", cf.URLsIssued(), srv.Created())
	}
	if ups := srv.Uploads(); !ups[0].Done || ups[0].SHA256 != siSHA(data) || ups[1].Done || ups[1].Offset != 5<<20 {
		t.Fatalf("stored: %+v", ups)
	}
}

// Cuts on the client's link to the upload host: the client sees its
// connection reset, tusd keeps what arrived, the next HEAD sees it, and
// chunks sized by the rules from any offset pass them.
func TestCloudflareStandinCuts(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "tok")
	c := siClient(t)
	data := siBytes(16<<20+3, 4)
	loc, _ := cfCreate(t, c, cf, len(data), "")
	srv.SetFaults(Faults{CutEvery: 3 << 20, CutSeed: 7})

	cuts := 0
	for try := 0; ; try++ {
		if try == 60 {
			t.Fatalf("no progress after %d tries", try)
		}
		resp, _, err := siTry(c, "HEAD", loc, nil, 0, nil)
		if err != nil {
			continue
		}
		off, _ := strconv.Atoi(resp.Header.Get("Upload-Offset"))
		if off == len(data) {
			break
		}
		n := len(data) - off
		if n >= 10<<20 {
			n = 5 << 20
		}
		resp, b, err := siPatch(c, loc, int64(off), data[off:off+n], nil)
		switch {
		case err != nil:
			cuts++
		case resp.StatusCode != 204:
			t.Fatalf("PATCH at %d: %d %s", off, resp.StatusCode, b)
		}
	}
	if cuts == 0 {
		t.Fatal("no PATCH was cut")
	}
	if v := cf.Violations(); len(v) != 0 {
		t.Fatalf("Violations %q", v)
	}
	checkStored(t, srv, data)
	for _, r := range cf.Requests() {
		if strings.HasSuffix(r, " 502") {
			t.Fatalf("a cut became a 502: %q", cf.Requests())
		}
	}
}

// A black-holed link: the client gives up on its PATCH, and its next HEAD
// (which makes tusd interrupt the stalled PATCH) sees what arrived.
func TestCloudflareStandinBlackhole(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "tok")
	c := siClient(t)
	data := siBytes(12<<20, 8)
	loc, _ := cfCreate(t, c, cf, len(data), "")
	srv.SetFaults(Faults{BlackholeAfter: 2 << 20})

	short := &http.Client{Transport: c.Transport, Timeout: 1500 * time.Millisecond}
	if _, _, err := siPatch(short, loc, 0, data[:5<<20], nil); err == nil {
		t.Fatal("PATCH through a black hole succeeded")
	}
	off := siOffset(t, c, loc)
	if off <= 0 || off >= 2<<20 {
		t.Fatalf("offset %d after the black hole, want (0, 2 MiB)", off)
	}
	siMustPatch(t, c, loc, off, data[off:off+5<<20])
	off += 5 << 20
	siMustPatch(t, c, loc, off, data[off:])
	checkStored(t, srv, data)
	if v := cf.Violations(); len(v) != 0 {
		t.Fatalf("Violations %q", v)
	}
}

// --- Vimeo ---

func vimeoCreate(t *testing.T, c *http.Client, v *Vimeo, token, body string) (*http.Response, []byte) {
	t.Helper()
	resp, b := siDo(t, c, "POST", v.Base+"/me/videos", []byte(body), map[string]string{
		"Authorization": token,
		"Content-Type":  "application/json",
		"Accept":        "application/vnd.vimeo.*+json;version=3.4",
		"Tus-Resumable": "",
	})
	return resp, b
}

func TestVimeoStandin(t *testing.T) {
	srv := New(t)
	v := NewVimeo(t, srv, "vtok")
	c := siClient(t)
	data := siBytes(3<<20+5, 5)

	resp, b := vimeoCreate(t, c, v, "bearer vtok", `{"upload":{"approach":"tus","size":"`+strconv.Itoa(len(data))+`"},"name":"file.mp4"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var video struct {
		URI    string
		Name   string
		Link   string
		Upload struct {
			Approach   string
			UploadLink string `json:"upload_link"`
			Size       int64
		}
	}
	if err := json.Unmarshal(b, &video); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	id := strings.TrimPrefix(video.URI, "/videos/")
	if id == video.URI || video.Link != "https://vimeo.com/"+id || video.Name != "file.mp4" ||
		video.Upload.Approach != "tus" || video.Upload.Size != int64(len(data)) {
		t.Fatalf("video %+v", video)
	}
	link := video.Upload.UploadLink
	if origin(t, link) == origin(t, v.Base) {
		t.Fatalf("upload link %s on the API's origin", link)
	}
	if off := siOffset(t, c, link); off != 0 {
		t.Fatalf("offset %d", off)
	}
	siMustPatch(t, c, link, 0, data[:1<<20])
	resp, b, err := siPatch(c, link, 1<<20, data[1<<20:], map[string]string{"Authorization": "bearer vtok"})
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("PATCH: %v %v %s", err, resp, b)
	}
	if v.LeakedAuth() != 1 {
		t.Fatalf("LeakedAuth %d, want 1", v.LeakedAuth())
	}
	ups := checkStored(t, srv, data)
	if ups[0].MetaData["filename"] != "file.mp4" {
		t.Fatalf("metadata %v", ups[0].MetaData)
	}

	// size as a number
	resp, b = vimeoCreate(t, c, v, "Bearer vtok", `{"upload":{"approach":"tus","size":12345},"name":"n.mp4"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"size":12345`) {
		t.Fatalf("numeric size: %d %s", resp.StatusCode, b)
	}
	// refusals
	for _, tok := range []string{"bearer wrong", ""} {
		resp, b = vimeoCreate(t, c, v, tok, `{"upload":{"approach":"tus","size":1}}`)
		var e struct {
			Error            string
			DeveloperMessage string `json:"developer_message"`
		}
		if json.Unmarshal(b, &e); resp.StatusCode != 401 || e.Error == "" || e.DeveloperMessage == "" {
			t.Fatalf("token %q: %d %s", tok, resp.StatusCode, b)
		}
	}
	for _, body := range []string{`{"upload":{"approach":"tus"},"name":"x"}`, `{"upload":{"approach":"tus","size":"lots"}}`, `not json`} {
		if resp, b = vimeoCreate(t, c, v, "bearer vtok", body); resp.StatusCode != 400 {
			t.Fatalf("%s: %d %s", body, resp.StatusCode, b)
		}
	}
	if resp, _ = siDo(t, c, "GET", v.Base+"/me", nil, map[string]string{"Authorization": "bearer vtok"}); resp.StatusCode != 200 {
		t.Fatalf("GET /me: %d", resp.StatusCode)
	}
	if v.Created() != 2 || srv.Created() != 2 {
		t.Fatalf("Created %d, tusd %d, want 2", v.Created(), srv.Created())
	}
}

// --- Backend ---

func TestBackendStandin(t *testing.T) {
	srv := New(t)
	cf := NewCloudflare(t, srv, CloudflareAccount, "cf-secret")
	b := NewBackend(t, cf, "X-Api-Key", "k1")
	c := siClient(t)
	data := siBytes(7<<20+99, 6)
	ask := func(key string) (*http.Response, []byte) {
		return siDo(t, c, "POST", b.URL, nil, map[string]string{
			"X-Api-Key":       key,
			"Upload-Length":   strconv.Itoa(len(data)),
			"Upload-Metadata": "name " + b64("talk.mp4"),
		})
	}

	resp, _ := siDo(t, c, "OPTIONS", b.URL, nil, map[string]string{
		"Origin": "http://app.example", "Access-Control-Request-Method": "POST", "Tus-Resumable": ""})
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := ask("wrong"); resp.StatusCode != 401 {
		t.Fatalf("wrong key: %d %s", resp.StatusCode, body)
	}
	if b.Asked() != 0 || cf.URLsIssued() != 0 {
		t.Fatalf("asked %d, issued %d", b.Asked(), cf.URLsIssued())
	}

	resp, body := ask("k1")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 200 || loc == "" {
		t.Fatalf("ask: %d %q %s", resp.StatusCode, loc, body)
	}
	for k, want := range map[string]string{"Access-Control-Expose-Headers": "Location",
		"Access-Control-Allow-Headers": "*", "Access-Control-Allow-Origin": "*", "Tus-Resumable": ""} {
		if got := resp.Header.Get(k); got != want {
			t.Fatalf("%s: %q, want %q", k, got, want)
		}
	}
	if o := origin(t, loc); o == origin(t, b.URL) || o == origin(t, cf.Base) {
		t.Fatalf("one-time URL %s on the backend's or the API's origin", loc)
	}
	if !slices.Contains(cf.Requests(), "POST /client/v4/accounts/"+CloudflareAccount+"/stream?direct_user=true 201") {
		t.Fatalf("Cloudflare's log: %q", cf.Requests())
	}
	uploadStream(t, c, loc, data, 5<<20)
	ups := checkStored(t, srv, data)
	if ups[0].MetaData["name"] != "talk.mp4" || cf.LeakedAuth() != 0 || len(cf.Violations()) != 0 {
		t.Fatalf("metadata %v, leaked %d, violations %q", ups[0].MetaData, cf.LeakedAuth(), cf.Violations())
	}

	// An expired one-time URL: ask again, once.
	cf.ExpireAfter(250 * time.Millisecond)
	resp, _ = ask("k1")
	old := resp.Header.Get("Location")
	siMustPatch(t, c, old, 0, data[:5<<20])
	time.Sleep(300 * time.Millisecond)
	if resp, _ = siDo(t, c, "HEAD", old, nil, nil); resp.StatusCode != http.StatusGone {
		t.Fatalf("HEAD on the expired URL: %d", resp.StatusCode)
	}
	cf.ExpireAfter(0)
	resp, _ = ask("k1")
	fresh := resp.Header.Get("Location")
	if fresh == old || resp.StatusCode != 200 {
		t.Fatalf("second ask: %d %q", resp.StatusCode, fresh)
	}
	uploadStream(t, c, fresh, data, 5<<20)
	if b.Asked() != 3 || cf.URLsIssued() != 3 || srv.Created() != 3 {
		t.Fatalf("asked %d, issued %d, created %d; want 3", b.Asked(), cf.URLsIssued(), srv.Created())
	}
	if ups := srv.Uploads(); !ups[2].Done || ups[2].SHA256 != siSHA(data) || ups[1].Done {
		t.Fatalf("stored %+v", ups)
	}
}

// A tusd that wants a token gets it from the stand-ins, not the client.
func TestStandinBehindTusdAuth(t *testing.T) {
	srv := New(t, WithAuth("tusd-secret"))
	v := NewVimeo(t, srv, "vtok")
	c := siClient(t)
	data := siBytes(100<<10, 9)
	resp, b := vimeoCreate(t, c, v, "Bearer vtok", `{"upload":{"approach":"tus","size":`+strconv.Itoa(len(data))+`}}`)
	var video struct {
		Upload struct {
			UploadLink string `json:"upload_link"`
		}
	}
	if json.Unmarshal(b, &video); resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	siMustPatch(t, c, video.Upload.UploadLink, 0, data)
	checkStored(t, srv, data)
	if v.LeakedAuth() != 0 {
		t.Fatalf("LeakedAuth %d", v.LeakedAuth())
	}
}
