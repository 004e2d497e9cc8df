package tustest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Backend is the article's Express handler: it holds the Cloudflare token
// and hands out one-time URLs.
//
// POST URL with the configured header (else 401 "Unauthorized"), and
// Upload-Length / Upload-Metadata from the client, makes the backend POST
// to Cloudflare's /accounts/{Account}/stream?direct_user=true with its
// token (server to server: no fault layer on that hop) and answer 200 "OK"
// with Location (the one-time URL, on Cloudflare's upload host),
// Access-Control-Expose-Headers: Location, Access-Control-Allow-Headers: *
// and Access-Control-Allow-Origin: *, and no Tus-Resumable, as the
// handler in Cloudflare's docs does. If Cloudflare refuses, it answers 500
// with a text body. OPTIONS (at URL) answers the CORS preflight with 204,
// without asking for the header. Other paths and methods get Express's
// 404 "Cannot METHOD /path". URL is behind srv's fault layer.
type Backend struct {
	URL string // Ferry POSTs its tus creation request here

	cf            *Cloudflare
	header, value string
	p             *plumbing
	client        *http.Client

	mu    sync.Mutex
	asked int
}

// backendPath is where the handler is mounted.
const backendPath = "/api/upload-url"

// NewBackend starts the backend for cf. Requests must carry "header:
// value" (an empty header: no check). It is stopped by t.Cleanup.
func NewBackend(t TB, cf *Cloudflare, header, value string) *Backend {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections) // after the plumbing's close, registered below
	b := &Backend{cf: cf, header: header, value: value, p: newPlumbing(t, cf.p.srv),
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	front, _ := b.p.serve(http.HandlerFunc(b.handle))
	b.URL = front + backendPath
	return b
}

// Asked is how many POSTs with the right header the backend got (each
// asks Cloudflare for a URL).
func (b *Backend) Asked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asked
}

func setCORS(h http.Header) {
	h.Set("Access-Control-Expose-Headers", "Location")
	h.Set("Access-Control-Allow-Headers", "*")
	h.Set("Access-Control-Allow-Origin", "*")
}

func expressText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

func (b *Backend) handle(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	if strings.TrimSuffix(r.URL.Path, "/") != backendPath || (r.Method != http.MethodPost && r.Method != http.MethodOptions) {
		expressText(w, http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
		return
	}
	if r.Method == http.MethodOptions {
		setCORS(w.Header())
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if b.header != "" && r.Header.Get(b.header) != b.value {
		expressText(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	b.mu.Lock()
	b.asked++
	b.mu.Unlock()

	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost,
		b.cf.apiDirect+"/accounts/"+b.cf.Account+"/stream?direct_user=true", nil)
	if err != nil {
		expressText(w, http.StatusInternalServerError, err.Error())
		return
	}
	req.Header.Set("Authorization", "bearer "+b.cf.Token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for _, k := range []string{"Upload-Length", "Upload-Metadata"} {
		if v := r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		expressText(w, http.StatusInternalServerError, "Could not reach Cloudflare: "+err.Error())
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 2 || loc == "" {
		expressText(w, http.StatusInternalServerError,
			fmt.Sprintf("Cloudflare answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body))))
		return
	}
	setCORS(w.Header())
	w.Header().Set("Location", loc)
	expressText(w, http.StatusOK, "OK") // res.sendStatus(200)
}
