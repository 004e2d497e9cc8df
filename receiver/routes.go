package receiver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/internal/units"
)

// maxMetadata bounds Upload-Metadata: it is stored in every .info and
// echoed on HEAD, and names and types need a few hundred bytes.
const maxMetadata = 4 << 10

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// tusd's routed handler expects the base path stripped.
	tus := http.StripPrefix("/files", s.guard(s.tus))
	mux.Handle("/files/", tus)
	mux.Handle("/files", tus)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "Ferry receiver: send files here with any tus client, to "+basePath+"\n")
	})
	return s.protect(mux)
}

// guard runs before tusd. Ids that are not the store's own are answered
// "not found" without touching the disk (the store checks again); it
// refuses what tusd would accept too late (oversized metadata, bodies
// larger than the upload, files over --max-size, a Ferry-Upload-Id that is
// malformed or taken), and on HEAD it places a completed upload whose
// placing failed earlier, so "complete" is only ever reported for a file
// that is in Dir.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if o := r.Header.Get("X-HTTP-Method-Override"); method == http.MethodPost && o != "" {
			method = o // tusd honours the override, so must we
		}
		id := strings.Trim(r.URL.Path, "/") // as tusd reads it
		if id != "" {
			if !ownID(id) || !s.track.enter(id) {
				writeError(w, r, errNotFound)
				return
			}
			defer s.track.leave(id)
		}
		var named string
		if method == http.MethodPost && id == "" {
			var err *handler.Error
			if named, err = s.namedCreation(r); err != nil {
				writeError(w, r, *err)
				return
			}
		}
		if err := s.check(r, method, id); err != nil {
			writeError(w, r, *err)
			return
		}
		if method == http.MethodOptions {
			w.Header().Set(idHeader, "1") // clients may name their uploads
			if s.expireIdle > 0 {
				w = &extensionWriter{ResponseWriter: w}
			}
		}
		req := newRequest(w, r, method)
		req.id = named
		if method == http.MethodPatch {
			req.expires(s.expireIdle)
		}
		if method == http.MethodHead && id != "" {
			if err := s.publishID(r.Context(), id, r.RemoteAddr); err != nil {
				writeError(w, r, saveError(err))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
	})
}

// check refuses headers that would make tusd store something it should not.
func (s *Server) check(r *http.Request, method, id string) *handler.Error {
	n := 0
	for _, v := range r.Header.Values("Upload-Metadata") {
		n += len(v)
	}
	if n > maxMetadata {
		return &errMetaLarge
	}
	if method != http.MethodPost || id != "" {
		return nil
	}
	if !s.concatIDsOK(r.Header.Get("Upload-Concat")) {
		return &errNotFound
	}
	size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil {
		return nil // final, deferred or invalid: tusd answers
	}
	name := nameOf(handler.ParseMetadataHeader(r.Header.Get("Upload-Metadata")))
	if s.maxSize > 0 && size > s.maxSize {
		s.logf("refused %s (%s): larger than the limit of %s", name, units.Size(size), units.Size(s.maxSize))
		e := handler.NewError("ERR_MAX_SIZE_EXCEEDED", fmt.Sprintf("this receiver accepts files up to %s; this one is %s", units.Size(s.maxSize), units.Size(size)), http.StatusRequestEntityTooLarge)
		return &e
	}
	// Creation with upload: tusd would create the upload and then refuse
	// the body, leaving an empty upload behind.
	if r.Header.Get("Content-Type") == "application/offset+octet-stream" && r.ContentLength > size {
		return &handler.ErrSizeExceeded
	}
	return nil
}

// concatIDsOK parses Upload-Concat exactly as tusd does (single spaces
// between URLs, each trimmed, the id after the base path) and accepts only
// the store's own ids. A tab or newline is then part of an id, not a
// separator, and the id is refused.
func (s *Server) concatIDsOK(h string) bool {
	l := len("final;")
	if !strings.HasPrefix(h, "final;") || len(h) <= l {
		return true // "partial", absent or invalid: tusd answers
	}
	for v := range strings.SplitSeq(h[l:], " ") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		_, id, ok := strings.Cut(v, basePath)
		if !ok || !ownID(strings.Trim(id, "/")) {
			return false
		}
	}
	return true
}

// extensionWriter adds "expiration" to the Tus-Extension tusd advertises:
// the receiver sends Upload-Expires, which tusd itself does not.
type extensionWriter struct{ http.ResponseWriter }

func (w *extensionWriter) WriteHeader(code int) {
	if e := w.Header().Get("Tus-Extension"); e != "" {
		w.Header().Set("Tus-Extension", e+",expiration")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *extensionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
