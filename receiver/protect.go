package receiver

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/tus/tusd/v2/pkg/handler"
)

var (
	errHost   = handler.NewError("ERR_HOST_NOT_ALLOWED", "this receiver answers only to its own address (the Host header names another)", http.StatusForbidden)
	errOrigin = handler.NewError("ERR_ORIGIN_NOT_ALLOWED", "web pages may not upload here unless the receiver's owner allows their origin (ferry serve --allow-origin)", http.StatusForbidden)
	errToken  = handler.NewError("ERR_TOKEN_REQUIRED", "this receiver needs its token: send the header \"Authorization: Bearer TOKEN\"", http.StatusUnauthorized)
)

// protect answers only requests meant for this receiver by someone allowed
// to send: the Host header names the receiver, so a web page cannot reach
// it by DNS rebinding; a browser's Origin is one the owner allowed; and
// when there is a token, the request carries it.
func (s *Server) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.running.Add(1)
		defer s.running.Add(-1)
		from, _, _ := net.SplitHostPort(r.RemoteAddr)
		switch origin := r.Header.Get("Origin"); {
		case !s.hostAllowed(r.Host):
			s.refused("host", from, "its Host header names "+quoteHost(r.Host)+", not this receiver")
			writeError(w, r, errHost)
			return
		case origin != "" && !s.origins[origin]:
			s.refused("origin", from, "it came from the web page "+quoteHost(origin)+" (allow it with --allow-origin)")
			writeError(w, r, errOrigin)
			return
		case s.token != "" && r.Method != http.MethodOptions && !s.bearerOK(r):
			// OPTIONS is a browser's preflight, which never carries
			// credentials; it learns only what tus features are on.
			s.refused("token", from, "it did not carry the token")
			w.Header().Set("WWW-Authenticate", `Bearer realm="ferry"`)
			writeError(w, r, errToken)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) bearerOK(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) == 1
}

// hostAllowed accepts the names of this receiver: "localhost" and loopback
// addresses, and when it serves the LAN, the addresses it serves and this
// machine's name. Anything else is a name some other DNS server chose to
// point here.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" {
		return true
	}
	ipText, _, _ := strings.Cut(host, "%") // fe80::1%eth0
	ip := net.ParseIP(ipText)
	if ip != nil && ip.IsLoopback() {
		return true
	}
	if !s.lan.Load() {
		return false
	}
	if ip != nil {
		return s.serves(ip)
	}
	return host != "" && (host == s.hostname || host == s.hostname+".local")
}

// serves reports whether ip is an address the listener answers on.
func (s *Server) serves(ip net.IP) bool {
	s.mu.Lock()
	bound := s.boundIP
	s.mu.Unlock()
	if bound != nil && !bound.IsUnspecified() {
		return bound.Equal(ip)
	}
	for _, a := range s.addrs.get() {
		if a.Equal(ip) {
			return true
		}
	}
	return false
}

// refused tells the console why a request was turned away (see refusals).
func (s *Server) refused(kind, from, why string) {
	s.refusals.say(s.logf, kind, "refused a request from %s: %s", from, why)
}

// quoteHost keeps console lines one line and short whatever a client sent.
func quoteHost(h string) string {
	h = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, h)
	if len(h) > 80 {
		h = truncate(h, 80) + "…"
	}
	return "\"" + h + "\""
}
