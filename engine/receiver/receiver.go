// Package receiver is Ferry's built-in tus 1.0 server ("ferry serve" and the
// desktop app's default destination). It wraps tusd v2 with a filestore in a
// hidden work folder and publishes each finished upload into the receive
// folder under its sanitised client-supplied name.
package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	"golang.org/x/exp/slog" // tusd v2.9 still takes an x/exp/slog logger
)

const (
	// DefaultListen keeps the receiver private to this machine unless asked.
	DefaultListen = "127.0.0.1:1080"
	// WorkDirName is the hidden folder inside Dir holding tusd's data and
	// .info files, so a restarted server on the same Dir resumes uploads.
	WorkDirName = ".ferry-incoming"
	basePath    = "/files/"
)

// Config configures a Server.
type Config struct {
	Dir    string // where finished files land, each under its own (sanitised) name
	Listen string // e.g. "127.0.0.1:1080"; DefaultListen if empty; "127.0.0.1:0" picks a port
	// Logf, if set, gets one line per finished file. It may be called from
	// several goroutines at once.
	Logf func(format string, args ...any)
}

// Server receives tus uploads into Config.Dir.
type Server struct {
	dir, work string
	listen    string
	logf      func(format string, args ...any)
	store     filestore.FileStore
	tus       *handler.Handler
	handler   http.Handler

	pubMu   sync.Mutex
	pubLock map[string]*sync.Mutex // per upload ID, so each is published once

	mu  sync.Mutex
	ln  net.Listener
	srv *http.Server
}

// New prepares the receive folder and its work folder and publishes any
// upload that completed before a crash but was never placed.
func New(cfg Config) (*Server, error) {
	if strings.TrimSpace(cfg.Dir) == "" {
		return nil, errors.New("No receive folder given")
	}
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultListen
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return nil, fmt.Errorf("The listen address %q is not valid; use HOST:PORT, e.g. %s", listen, DefaultListen)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("Cannot use the receive folder %s: %v", cfg.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("Cannot create the receive folder %s: %v", dir, cause(err))
	}
	work := filepath.Join(dir, WorkDirName)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, fmt.Errorf("Cannot create the work folder %s: %v", work, cause(err))
	}
	hide(work)
	// MkdirAll succeeds on an existing read-only folder; fail now rather
	// than on the first upload.
	for _, d := range []string{work, dir} {
		f, err := os.CreateTemp(d, ".ferry-probe-*")
		if err != nil {
			return nil, fmt.Errorf("Cannot write to the receive folder %s: %v", d, cause(err))
		}
		f.Close()
		os.Remove(f.Name())
	}

	s := &Server{
		dir:     dir,
		work:    work,
		listen:  listen,
		logf:    cfg.Logf,
		store:   filestore.New(work),
		pubLock: map[string]*sync.Mutex{},
	}
	composer := handler.NewStoreComposer()
	s.store.UseIn(composer)
	// memorylocker (unlike filelocker) asks the holder to let go, so a client
	// reconnecting after a dropped PATCH resumes at once instead of waiting.
	memorylocker.New().UseIn(composer)

	s.tus, err = handler.NewHandler(handler.Config{
		BasePath:                  basePath,
		StoreComposer:             composer,
		DisableDownload:           true, // a receiver has no reason to hand files back
		Logger:                    slog.New(slog.NewTextHandler(io.Discard, nil)),
		PreFinishResponseCallback: s.onFinish,
	})
	if err != nil {
		return nil, fmt.Errorf("Cannot start the tus handler: %v", err)
	}
	s.handler = s.routes()
	s.recoverWork()
	return s, nil
}

// Start listens on Config.Listen and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("The receiver is already running")
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return listenError(s.listen, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler: s.handler,
		// No ReadTimeout: uploads are long; tusd sets per-read deadlines.
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go s.srv.Serve(ln)
	return nil
}

// URL is the creation URL clients should POST to, e.g.
// http://127.0.0.1:1080/files/. A wildcard listen address is shown as
// loopback; remote clients need this machine's LAN address instead.
func (s *Server) URL() string {
	addr := s.listen
	s.mu.Lock()
	if s.ln != nil {
		addr = s.ln.Addr().String()
	}
	s.mu.Unlock()
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + basePath
}

// Handler serves the tus endpoint under /files/, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Shutdown stops accepting uploads and waits for running requests until ctx
// ends, then cuts the rest off. Bytes already received stay in the work
// folder, so those uploads resume after a restart.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close() // a long PATCH would otherwise outlive the server
	}
	return err
}

// cause strips the "op path:" prefix so messages read "...: permission denied".
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
