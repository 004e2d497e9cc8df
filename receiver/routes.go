package receiver

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/tus/tusd/v2/pkg/handler"
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
		if method == http.MethodPost && id == "" {
			draftName(r)
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
	for _, k := range []string{"Upload-Metadata", "Content-Disposition"} { // the draft's name
		for _, v := range r.Header.Values(k) {
			n += len(v)
		}
	}
	if n > maxMetadata {
		return &errMetaLarge
	}
	if method != http.MethodPost || id != "" {
		return nil
	}
	if err := s.concatIDs(r.Header.Get("Upload-Concat")); err != nil {
		return err
	}
	size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil {
		return nil // final, deferred or invalid: tusd answers
	}
	// Before tusd, whose own refusal says nothing on the console.
	info := handler.FileInfo{MetaData: handler.ParseMetadataHeader(r.Header.Get("Upload-Metadata"))}
	if e, over := s.store.overLimit(info, size); over {
		return &e
	}
	// Creation with upload: tusd would create the upload and then refuse
	// the body, leaving an empty upload behind.
	if r.Header.Get("Content-Type") == "application/offset+octet-stream" && r.ContentLength > size {
		return &handler.ErrSizeExceeded
	}
	return nil
}

// draftName gives a creation in the IETF draft its file's name: the draft
// reads it from Content-Disposition, where tus-js-client (its protocol
// option) sends Upload-Metadata as in tus.
func draftName(r *http.Request) {
	if r.Header.Get("Upload-Draft-Interop-Version") == "" || r.Header.Get("Content-Disposition") != "" {
		return
	}
	if name := nameOf(handler.ParseMetadataHeader(r.Header.Get("Upload-Metadata"))); name != "" {
		r.Header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
}

// concatIDs parses Upload-Concat exactly as tusd does (single spaces
// between URLs, each trimmed, the id after the base path) and accepts only
// the store's own ids, each once: a tab or newline is then part of an id,
// not a separator, and the id is refused (404); a part named twice would
// be copied twice into the file (400).
func (s *Server) concatIDs(h string) *handler.Error {
	l := len("final;")
	if !strings.HasPrefix(h, "final;") || len(h) <= l {
		return nil // "partial", absent or invalid: tusd answers
	}
	seen := map[string]bool{}
	for v := range strings.SplitSeq(h[l:], " ") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		_, id, ok := strings.Cut(v, basePath)
		if id = strings.Trim(id, "/"); !ok || !ownID(id) {
			return &errNotFound
		}
		if seen[id] {
			return &errPartTwice
		}
		seen[id] = true
	}
	return nil
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
