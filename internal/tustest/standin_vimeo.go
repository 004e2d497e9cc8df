package tustest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Vimeo stands in for Vimeo's upload API (tus approach).
//
// On Base (through srv's fault layer):
//
//   - POST /me/videos with "Authorization: bearer {Token}" (scheme in any
//     case) and a JSON body {"upload":{"approach":"tus","size":N},"name":...}
//     (size a JSON number or string) creates an upload of N bytes at srv's
//     tusd (Upload-Metadata filename = name) and answers 200 with the video
//     (uri "/videos/ID", link "https://vimeo.com/ID") and
//     upload.upload_link on the upload host (another origin). A wrong or
//     missing token is 401 {"error","developer_message","error_code"}; a
//     missing or bad size, or an approach other than tus, 400.
//   - GET /me answers the user (what `ferry dest test` asks).
//
// The upload host forwards HEAD, PATCH, DELETE and OPTIONS to tusd, with
// no chunk rules, and counts requests that carry Authorization.
type Vimeo struct {
	Base  string // as FERRY_VIMEO_API: Ferry POSTs Base+"/me/videos"
	Token string

	p    *plumbing
	host *uploadHost

	mu      sync.Mutex
	created int
}

// NewVimeo starts a Vimeo stand-in accepting token in front of srv. It is
// stopped by t.Cleanup.
func NewVimeo(t TB, srv *Server, token string) *Vimeo {
	t.Helper()
	v := &Vimeo{Token: token, p: newPlumbing(t, srv)}
	v.host = newUploadHost(v.p, "/files/vimeo-prod-src-tus-eu/", "")
	v.Base, _ = v.p.serve(http.HandlerFunc(v.api))
	return v
}

// Created is how many videos POST /me/videos created.
func (v *Vimeo) Created() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.created
}

// LeakedAuth is how many requests to the upload host carried an
// Authorization header.
func (v *Vimeo) LeakedAuth() int { return v.host.leaked() }

func vimeoFail(w http.ResponseWriter, status, code int, msg, dev string) {
	writeJSON(w, status, "application/vnd.vimeo.error+json", map[string]any{
		"error": msg, "link": nil, "developer_message": dev, "error_code": code,
	})
}

func (v *Vimeo) api(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path != "/me" && path != "/me/videos" {
		vimeoFail(w, http.StatusNotFound, 5000, "The requested page couldn't be found.", "No route for "+r.URL.Path+".")
		return
	}
	tok, ok := bearer(r)
	switch {
	case !ok:
		vimeoFail(w, http.StatusUnauthorized, 8000, "You must provide a valid authenticated access token.",
			"The request requires an Authorization header with a bearer access token.")
		return
	case tok != v.Token:
		vimeoFail(w, http.StatusUnauthorized, 8003, "You must provide a valid authenticated access token.",
			"The provided access token is invalid or was revoked.")
		return
	}
	switch {
	case path == "/me" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, "application/vnd.vimeo.user+json", map[string]any{
			"uri": "/users/1000001", "name": "Stand-in User", "link": "https://vimeo.com/user1000001",
		})
	case path == "/me/videos" && r.Method == http.MethodPost:
		v.create(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		vimeoFail(w, http.StatusMethodNotAllowed, 2501, "Method not allowed.", r.Method+" is not supported on "+r.URL.Path+".")
	}
}

func (v *Vimeo) create(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		upstreamFailed(w, errCut)
		return
	}
	var req struct {
		Name   string `json:"name"`
		Upload struct {
			Approach string          `json:"approach"`
			Size     json.RawMessage `json:"size"`
		} `json:"upload"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		vimeoFail(w, http.StatusBadRequest, 2204, "Something went wrong. Please try again.",
			"The request body is not valid JSON: "+err.Error())
		return
	}
	if req.Upload.Approach != "tus" {
		vimeoFail(w, http.StatusBadRequest, 2204, "Something went wrong. Please try again.",
			"upload.approach must be \"tus\" (the only approach this stand-in knows), not "+strconv.Quote(req.Upload.Approach)+".")
		return
	}
	sizeText := string(bytes.Trim(bytes.TrimSpace(req.Upload.Size), `"`))
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 {
		vimeoFail(w, http.StatusBadRequest, 2204, "Something went wrong. Please try again.",
			"upload.size is required: the size of the video in bytes, as a number or a string.")
		return
	}
	var meta string
	if req.Name != "" {
		meta = "filename " + base64.StdEncoding.EncodeToString([]byte(req.Name))
	}
	tusID, failed, err := v.p.createAtTusd(w, r, size, meta)
	if err != nil {
		upstreamFailed(w, err)
		return
	}
	if failed != nil {
		defer failed.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(failed.Body, 4<<10))
		vimeoFail(w, failed.StatusCode, 4000, "Something went wrong. Please try again.", strings.TrimSpace(string(b)))
		return
	}

	now := time.Now()
	u := &hosted{key: randomHex(16), tusID: tusID, size: size, issued: now}
	v.mu.Lock()
	v.created++
	n := 100000000 + v.created
	v.mu.Unlock()
	u.mediaID = strconv.Itoa(n)
	link := v.host.add(u)

	name := req.Name
	if name == "" {
		name = "Untitled"
	}
	writeJSON(w, http.StatusOK, "application/vnd.vimeo.video+json", map[string]any{
		"uri":          "/videos/" + u.mediaID,
		"name":         name,
		"type":         "video",
		"link":         "https://vimeo.com/" + u.mediaID,
		"player_embed": map[string]any{"html": nil},
		"upload": map[string]any{
			"status":       "in_progress",
			"approach":     "tus",
			"upload_link":  link,
			"size":         size,
			"form":         nil,
			"complete_uri": nil,
			"redirect_url": nil,
			"link":         nil,
		},
		"transcode": map[string]any{"status": "in_progress"},
	})
}
