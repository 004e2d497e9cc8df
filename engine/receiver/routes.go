package receiver

import (
	"io"
	"net/http"
	"strings"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// tusd's routed handler expects the base path stripped.
	tus := http.StripPrefix("/files", s.guard(s.tus))
	mux.Handle("/files/", tus)
	mux.Handle("/files", tus)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "Ferry receiver: send files here with any tus client, to "+basePath+"\n")
	})
	return mux
}

// guard runs before tusd. It rejects upload IDs that are not ours (filestore
// joins IDs onto its folder unchecked, so "final;/files/../../x" would read
// outside it), and on HEAD places a completed upload whose placing failed
// earlier, so "complete" is only ever reported for a file that is in Dir.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.Trim(r.URL.Path, "/")
		if id != "" && !validID(id) {
			http.NotFound(w, r)
			return
		}
		if c, ok := strings.CutPrefix(r.Header.Get("Upload-Concat"), "final;"); ok {
			for _, u := range strings.Fields(c) {
				_, pid, _ := strings.Cut(u, basePath)
				if !validID(strings.Trim(pid, "/")) {
					http.Error(w, "Upload-Concat names an unknown upload", http.StatusBadRequest)
					return
				}
			}
		}
		method := r.Method
		if o := r.Header.Get("X-HTTP-Method-Override"); method == http.MethodPost && o != "" {
			method = o // tusd honours the override, so must we
		}
		if method == http.MethodHead && id != "" {
			if err := s.publishID(r.Context(), id, r.RemoteAddr); err != nil {
				http.Error(w, "Could not save the received file: "+cause(err).Error(), http.StatusInternalServerError)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// validID accepts the IDs filestore generates (hex) with some slack.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
