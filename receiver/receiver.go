// Package receiver is Ferry's built-in tus 1.0 server ("ferry serve" and the
// desktop app's default destination). It wraps tusd v2 with a filestore in a
// hidden work folder and moves each finished upload into the receive folder
// under its sanitised client-supplied name.
//
// It is safe to leave running on a laptop that browses the web: only its own
// upload ids reach the store, web pages and foreign Host names are refused,
// a LAN listener needs a token, and space is given back as it goes.
package receiver

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	"golang.org/x/exp/slog" // tusd v2.9 still takes an x/exp/slog logger

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/listener"
)

const (
	// DefaultListen keeps the receiver private to this machine unless asked.
	DefaultListen = "127.0.0.1:1080"
	// WorkDirName is the hidden folder inside Dir holding tusd's data and
	// .info files, so a restarted server on the same Dir resumes uploads.
	WorkDirName = ".ferry-incoming"
	basePath    = "/files/"
	// stopWait is how long Shutdown lets running requests end by themselves
	// before it cuts their connections; each then saves what it received
	// within saveWait.
	stopWait = 300 * time.Millisecond
	saveWait = 400 * time.Millisecond
)

// Config configures a Server.
type Config struct {
	Dir    string // where finished files land, each under its own (sanitised) name
	Listen string // e.g. "127.0.0.1:1080"; DefaultListen if empty; "127.0.0.1:0" picks a port
	// Token, if set, must come with every request as "Authorization:
	// Bearer TOKEN". Required when Listen is not loopback only.
	Token string
	// AllowOrigins are the web origins ("https://app.example.com") whose
	// pages may upload from a browser. None by default; "null" never.
	AllowOrigins []string
	// MaxSize is the largest upload accepted, in bytes (advertised as
	// Tus-Max-Size); 0 means no limit but free space.
	MaxSize int64
	// ExpireIdle: unfinished uploads idle for longer are removed.
	// 0 means DefaultExpireIdle; negative means never.
	ExpireIdle time.Duration
	// Logf, if set, gets one line per finished file and per failure. It
	// may be called from several goroutines at once.
	Logf func(format string, args ...any)
}

// Server receives tus uploads into Config.Dir.
type Server struct {
	dir, work  string
	listen     string
	token      string
	origins    map[string]bool
	maxSize    int64
	expireIdle time.Duration
	logf       func(format string, args ...any)
	store      *store
	track      *tracker
	names      names
	tus        *handler.Handler
	handler    http.Handler
	pubLocks   [64]sync.Mutex
	refusals   refusals
	addrs      addrCache
	hostname   string
	lan        atomic.Bool  // serving beyond loopback
	running    atomic.Int64 // requests being handled

	mu        sync.Mutex
	ln        net.Listener
	srv       *http.Server
	boundIP   net.IP
	stopSweep chan struct{}
	swept     chan struct{}
}

// New prepares the receive folder and its work folder, places any upload
// that completed before a crash but was never placed, and removes what
// expired while the receiver was not running.
func New(cfg Config) (*Server, error) {
	if strings.TrimSpace(cfg.Dir) == "" {
		return nil, fault.New(fault.CodeBadSetting, "No receive folder given.")
	}
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultListen
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return nil, fault.New(fault.CodeBadSetting, "The listen address %q is not valid; use HOST:PORT, e.g. %s.", listen, DefaultListen)
	}
	if cfg.Token == "" && !LoopbackOnly(listen) {
		return nil, fault.New(fault.CodeBadSetting, "Listening on %s lets other machines send files, so a token is required.", listen)
	}
	origins, err := checkOrigins(cfg.AllowOrigins)
	if err != nil {
		return nil, err
	}
	dir, work, err := prepareDirs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		dir:        dir,
		work:       work,
		listen:     listen,
		token:      cfg.Token,
		origins:    origins,
		maxSize:    max(cfg.MaxSize, 0),
		expireIdle: cfg.ExpireIdle,
		logf:       cfg.Logf,
		track:      newTracker(),
	}
	if s.expireIdle == 0 {
		s.expireIdle = DefaultExpireIdle
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if h, err := os.Hostname(); err == nil {
		s.hostname = strings.ToLower(h)
	}
	fstore := filestore.New(work)
	fstore.DirModePerm, fstore.FileModePerm = 0o700, 0o600
	s.store = &store{fs: fstore, work: work, track: s.track, logf: s.logf, maxSize: s.maxSize, refusals: &s.refusals, freeSpace: freeSpace}
	composer := handler.NewStoreComposer()
	s.store.UseIn(composer)
	// memorylocker (unlike filelocker) asks the holder to let go, so a client
	// reconnecting after a dropped PATCH resumes at once instead of waiting.
	memorylocker.New().UseIn(composer)

	cors := handler.DefaultCorsConfig
	cors.AllowOrigin = originPattern(origins)
	cors.AllowHeaders += ", " + idHeader
	s.tus, err = handler.NewHandler(handler.Config{
		BasePath:        basePath,
		StoreComposer:   composer,
		MaxSize:         s.maxSize,
		DisableDownload: true, // a receiver has no reason to hand files back
		// The IETF resumable-upload draft too (interop versions 3 to 6,
		// drafts -01 to -05), as Apple's URLSession and tus-js-client's
		// protocol option speak it; the same guard, hooks and store.
		EnableExperimentalProtocol: true,
		Cors:                       &cors,
		Logger:                     slog.New(slog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback:    s.beforeCreate,
		PreFinishResponseCallback:  s.onFinish,
	})
	if err != nil {
		return nil, fault.Wrap(fault.CodeBadSetting, err, "Cannot start the tus handler: %s.", fault.Cause(err))
	}
	s.handler = s.routes()
	s.lan.Store(!LoopbackOnly(listen))
	s.tidy(true)
	return s, nil
}

// prepareDirs makes the receive folder and its work folder and checks that
// both can be written. A work folder that is a symbolic link is refused:
// someone who planted it would get every upload written where it points.
func prepareDirs(d string) (dir, work string, err error) {
	dir, err = filepath.Abs(d)
	if err != nil {
		return "", "", fault.Wrap(fault.CodeBadSetting, err, "Cannot use the receive folder %s: %s.", d, fault.Cause(err))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fault.Wrap(fault.CodeBadSetting, err, "Cannot create the receive folder %s: %s.", dir, fault.Cause(err))
	}
	work = filepath.Join(dir, WorkDirName)
	if err := os.Mkdir(work, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", "", fault.Wrap(fault.CodeBadSetting, err, "Cannot create the work folder %s: %s.", work, fault.Cause(err))
	}
	st, err := os.Lstat(work)
	switch {
	case err != nil:
		return "", "", fault.Wrap(fault.CodeBadSetting, err, "Cannot use the work folder %s: %s.", work, fault.Cause(err))
	case st.Mode()&fs.ModeSymlink != 0:
		return "", "", fault.New(fault.CodeBadSetting, "The work folder %s is a symbolic link; Ferry does not follow it. Remove the link (nothing of Ferry's is in it) or pick another receive folder.", work)
	case !st.IsDir():
		return "", "", fault.New(fault.CodeBadSetting, "The work folder %s is a file, not a folder; move it away or pick another receive folder.", work)
	}
	hide(work)
	// Mkdir succeeds on an existing read-only folder; fail now rather
	// than on the first upload.
	for _, d := range []string{work, dir} {
		f, err := os.CreateTemp(d, ".ferry-probe-*")
		if err != nil {
			return "", "", fault.Wrap(fault.CodeBadSetting, err, "Cannot write to the receive folder %s: %s.", d, fault.Cause(err))
		}
		f.Close()
		os.Remove(f.Name())
	}
	return dir, work, nil
}

// checkOrigins accepts web origins as a browser writes them:
// scheme://host[:port], nothing after. "null" (sandboxed pages, files) is
// never allowed: any page can send it.
func checkOrigins(list []string) (map[string]bool, error) {
	m := map[string]bool{}
	for _, o := range list {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		scheme, rest, ok := strings.Cut(o, "://")
		if strings.EqualFold(o, "null") || !ok || (scheme != "http" && scheme != "https") || rest == "" || strings.ContainsAny(rest, "/?#@ *") {
			return nil, fault.New(fault.CodeBadSetting, "%q is not a web origin; write it as a browser sends it, e.g. https://app.example.com or http://localhost:3000 (\"null\" is never allowed).", o)
		}
		m[o] = true
	}
	return m, nil
}

// originPattern is tusd's CORS check for the same origins (protect refuses
// the others first); with none it matches nothing.
func originPattern(origins map[string]bool) *regexp.Regexp {
	alts := []string{}
	for o := range origins {
		alts = append(alts, regexp.QuoteMeta(o))
	}
	if len(alts) == 0 {
		return regexp.MustCompile(`[^\s\S]`)
	}
	return regexp.MustCompile(`\A(?:` + strings.Join(alts, "|") + `)\z`)
}

// Start listens on Config.Listen and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return fault.New(fault.CodeBadSetting, "The receiver is already running.")
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return listenError(s.listen, err)
	}
	s.ln = ln
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.boundIP = a.IP
		s.lan.Store(!a.IP.IsLoopback())
	}
	s.srv = &http.Server{
		Handler: s.handler,
		// No ReadTimeout: uploads are long; tusd sets per-read deadlines.
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	s.stopSweep, s.swept = make(chan struct{}), make(chan struct{})
	go s.sweepLoop(s.stopSweep, s.swept)
	go s.srv.Serve(listener.Steady(ln, func(err error) {
		s.refusals.say(s.logf, "accept", "a connection failed before it was taken: %v", err)
	}))
	return nil
}

// URL is the creation URL clients should POST to, e.g.
// http://127.0.0.1:1080/files/. Listening on all interfaces, it is this
// machine's LAN address, which other machines can reach.
func (s *Server) URL() string {
	host, port := s.hostPort()
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if lan := lanIP(s.addrs.get(), s.addrs.bridge); lan != nil {
			host = lan.String()
		}
	}
	return "http://" + net.JoinHostPort(host, port) + basePath
}

// LocalURL is the creation URL for clients on this machine: loopback if
// the listener answers there, else the same as URL.
func (s *Server) LocalURL() string {
	host, port := s.hostPort()
	ip := net.ParseIP(host)
	if host == "" || (ip != nil && ip.IsUnspecified()) {
		// Go reports [::] for a listener on 0.0.0.0 too; only one asked
		// for on [::] may lack IPv4.
		host = "127.0.0.1"
		if h, _, _ := net.SplitHostPort(s.listen); strings.Contains(h, ":") {
			host = "::1"
		}
	} else if ip != nil && !ip.IsLoopback() {
		return s.URL()
	}
	return "http://" + net.JoinHostPort(host, port) + basePath
}

func (s *Server) hostPort() (host, port string) {
	addr := s.listen
	s.mu.Lock()
	if s.ln != nil {
		addr = s.ln.Addr().String()
	}
	s.mu.Unlock()
	host, port, _ = net.SplitHostPort(addr)
	return host, port
}

// Handler serves the tus endpoint under /files/, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Shutdown stops accepting uploads, lets requests that are about to end
// end, then cuts the connections of the rest (long PATCHes) and waits a
// moment for each to save what it received; well under a second in all,
// or less if ctx ends sooner. Those uploads resume after a restart.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, stopSweep, swept := s.srv, s.stopSweep, s.swept
	s.srv, s.stopSweep = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	close(stopSweep)
	wait, cancel := context.WithTimeout(ctx, stopWait)
	defer cancel()
	if srv.Shutdown(wait) != nil {
		// Not tusd's ErrServerShutdown through the request context: tusd
		// then touches the request body from two goroutines unguarded.
		srv.Close()
		deadline := time.Now().Add(saveWait)
		for s.running.Load() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	<-swept
	return nil
}
