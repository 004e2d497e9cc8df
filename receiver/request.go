package receiver

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
)

// request is what the guard learns about a request before tusd runs, for
// the hooks that run inside tusd (they see its context, not the request).
type request struct {
	w      http.ResponseWriter
	body   *countingBody // nil without a body
	offset int64         // where the body starts in the upload
	id     string        // the creation's Ferry-Upload-Id, checked; "" if none
}

type requestKey struct{}

func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

// overflowed reports whether the body held more bytes than the upload had
// room for. tusd stops reading at Upload-Length and stores what fitted, so
// a chunked body that ran on would otherwise complete the upload short of
// what the client meant to send.
func (r *request) overflowed(info handler.FileInfo) bool {
	return r != nil && r.body != nil && !info.SizeIsDeferred && r.body.n.Load() > info.Size-r.offset
}

// expires sends Upload-Expires (tus expiration extension): an unfinished
// upload left idle this long is removed.
func (r *request) expires(idle time.Duration) {
	if r != nil && idle > 0 {
		r.w.Header().Set("Upload-Expires", time.Now().Add(idle).UTC().Format(http.TimeFormat))
	}
}

// finished drops Upload-Expires: a finished upload does not expire.
func (r *request) finished() {
	if r != nil {
		r.w.Header().Del("Upload-Expires")
	}
}

func newRequest(w http.ResponseWriter, r *http.Request, method string) *request {
	req := &request{w: w}
	if r.Body != nil && r.Body != http.NoBody {
		req.body = &countingBody{ReadCloser: r.Body}
		r.Body = req.body
	}
	if method == http.MethodPatch {
		req.offset, _ = strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	}
	return req
}

// countingBody counts what tusd reads, including the byte past the limit
// that http.MaxBytesReader reads to find out whether there is more.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// writeError answers like tusd does, so a refusal made before tusd reads
// the same as one made by it.
func writeError(w http.ResponseWriter, r *http.Request, e handler.Error) {
	h := w.Header()
	h.Set("Tus-Resumable", "1.0.0")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	for k, v := range e.HTTPResponse.Header {
		h.Set(k, v)
	}
	body := e.HTTPResponse.Body
	if r.Method == http.MethodHead {
		body = ""
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.HTTPResponse.StatusCode)
	io.WriteString(w, body)
}
