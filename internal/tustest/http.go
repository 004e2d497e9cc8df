package tustest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
)

// Error answers written by the fault layer. Where tusd has an equivalent,
// reuse it so clients see exactly what tusd would send.
var (
	errUnavailable  = handler.NewError("ERR_SERVICE_UNAVAILABLE", "service unavailable (injected)", http.StatusServiceUnavailable)
	errRateLimited  = handler.NewError("ERR_RATE_LIMITED", "too many requests (injected)", http.StatusTooManyRequests)
	errUnauthorized = handler.NewError("ERR_UNAUTHORIZED", "missing or invalid bearer token", http.StatusUnauthorized)
)

// front wraps tusd for one listener: it logs and tracks every request and,
// when faulty, injects HTTP faults. Auth applies on both listeners.
func (s *Server) front(faulty bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.inflight.enter() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		defer s.inflight.leave()

		method := effectiveMethod(r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.logRequest(method, r.URL.Path, sw.code) }()

		var f Faults
		if faulty {
			f, _ = s.faults.get()
		}
		switch {
		case f.NotTus:
			notTus(sw, r, method, f.NotTusPOSTStatus)
			return
		case f.Status401:
			writeTusError(sw, r, errUnauthorized, nil)
			return
		case s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token:
			writeTusError(sw, r, errUnauthorized, nil)
			return
		}
		if faulty {
			if code := s.faults.take(method); code != 0 {
				injectStatus(sw, r, code, f.RetryAfter)
				return
			}
		}
		next.ServeHTTP(sw, r)
	})
}

func injectStatus(w http.ResponseWriter, r *http.Request, code, retryAfter int) {
	// Read the whole body first, as a proxy or server that answers after the
	// request would, so the client reliably gets the status and not a reset.
	io.Copy(io.Discard, r.Body)
	switch code {
	case http.StatusServiceUnavailable:
		writeTusError(w, r, errUnavailable, nil)
	case http.StatusTooManyRequests:
		writeTusError(w, r, errRateLimited, map[string]string{"Retry-After": strconv.Itoa(retryAfter)})
	case http.StatusConflict:
		writeTusError(w, r, handler.ErrMismatchOffset, nil)
	case http.StatusLocked:
		writeTusError(w, r, handler.ErrFileLocked, nil)
	case http.StatusNotFound:
		writeTusError(w, r, handler.ErrNotFound, nil)
	default:
		panic(fmt.Sprintf("tustest: no fault for status %d", code))
	}
}

// writeTusError answers like tusd's sendError: plain-text "CODE: message"
// body (none for HEAD) plus Tus-Resumable.
func writeTusError(w http.ResponseWriter, r *http.Request, e handler.Error, extra map[string]string) {
	h := w.Header()
	for k, v := range e.HTTPResponse.Header {
		h.Set(k, v)
	}
	for k, v := range extra {
		h.Set(k, v)
	}
	h.Set("Tus-Resumable", "1.0.0")
	body := e.HTTPResponse.Body
	if r.Method == "HEAD" {
		body = ""
	}
	if body != "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(e.HTTPResponse.StatusCode)
	io.WriteString(w, body)
}

// notTus answers like a static web server that knows nothing about tus.
func notTus(w http.ResponseWriter, r *http.Request, method string, postStatus int) {
	const page = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>\n"
	h := w.Header()
	switch method {
	case "POST":
		if postStatus == 0 {
			postStatus = http.StatusOK
		}
		io.Copy(io.Discard, r.Body)
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(postStatus)
		io.WriteString(w, page)
	case "GET", "HEAD":
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		if method == "GET" {
			io.WriteString(w, "<html><body><h1>404 Not Found</h1></body></html>\n")
		}
	case "OPTIONS":
		h.Set("Allow", "GET, HEAD, POST, OPTIONS")
		w.WriteHeader(http.StatusOK)
	default:
		h.Set("Allow", "GET, HEAD, POST, OPTIONS")
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, "<html><body><h1>405 Method Not Allowed</h1></body></html>\n")
	}
}

// countBody tracks each request for interrupts and byte counting (see
// interrupt.go) and counts 204 answers to DELETE.
func (s *Server) countBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, s.track(sw, r))
		if effectiveMethod(r) == "DELETE" && sw.code == http.StatusNoContent {
			s.termed.Add(1)
		}
	})
}

// effectiveMethod is the method tusd will act on: it honours
// X-HTTP-Method-Override on POST, so the fault layer must too.
func effectiveMethod(r *http.Request) string {
	if o := r.Header.Get("X-HTTP-Method-Override"); r.Method == "POST" && o != "" {
		return o
	}
	return r.Method
}

func (s *Server) logRequest(method, path string, code int) {
	if code == 0 {
		code = http.StatusOK // net/http's implicit status
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, fmt.Sprintf("%s %s %d", method, path, code))
	s.mu.Unlock()
}

// statusWriter records the status. Unwrap matters: tusd drives read
// deadlines through http.ResponseController, which is how a blocked PATCH
// gets interrupted when another request asks for the upload's lock.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// inflight counts running handlers so Close can wait for them. A WaitGroup
// would be misused here: net/http may start a handler while Close waits.
type inflight struct {
	mu     sync.Mutex
	n      int
	closed bool
}

func (f *inflight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.n++
	return true
}

func (f *inflight) leave() {
	f.mu.Lock()
	f.n--
	f.mu.Unlock()
}

// wait refuses new handlers and polls until running ones are done.
func (f *inflight) wait(max time.Duration) bool {
	deadline := time.Now().Add(max)
	for {
		f.mu.Lock()
		f.closed = true
		n := f.n
		f.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
