package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/receiver"
)

// tokenFileName is where a generated receiver token is kept, in the data dir.
const tokenFileName = "serve-token"

type serveOpts struct {
	common     common // only its data dir
	listen     string
	dir        string
	tokenFile  string
	origins    listFlag
	maxSize    sizeFlag
	expireIdle time.Duration
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	var o serveOpts
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", receiver.DefaultListen, "address to listen on; loopback by default, 0.0.0.0:1080 lets other machines send (with the token)")
	fs.StringVar(&o.dir, "dir", defaultReceiveDir(), "folder where received files land")
	fs.StringVar(&o.common.dataDir, "data-dir", "", "where a generated token is kept (default $FERRY_DATA_DIR, else Ferry's folder in the user config dir: ~/.config/ferry, %APPDATA%\\Ferry, ~/Library/Application Support/Ferry)")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the token clients must send as \"Authorization: Bearer TOKEN\" (default: made once and kept in the data dir when --listen is not loopback)")
	fs.Var(&o.origins, "allow-origin", "web origin whose pages may upload from a browser, e.g. https://app.example.com (repeatable; none by default; never \"null\")")
	fs.Var(&o.maxSize, "max-size", "largest file accepted, e.g. 20GB; 0 = any that fits on the disk")
	fs.DurationVar(&o.expireIdle, "expire-idle", receiver.DefaultExpireIdle, "remove unfinished uploads idle this long, e.g. 2h; 0 = never")
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry serve [--listen ADDR] [--dir DIR] [--token-file FILE] [--allow-origin URL] [--max-size SIZE] [--expire-idle DURATION]")
		return exitOK
	}
	if err == nil && len(rest) > 0 {
		err = usagef("serve takes no arguments (did you mean --dir %s?)", rest[0])
	}
	if err == nil && o.expireIdle < 0 {
		err = usagef("--expire-idle must be 0 (never) or more, e.g. 24h")
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	srv, tok, err := startServe(&o, stdout)
	if err != nil {
		return exitCode(err, stderr)
	}
	printServe(stdout, srv, &o, tok)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	sig := <-sigs
	signal.Stop(sigs)
	fmt.Fprintln(stdout, "Stopping; unfinished uploads resume when the receiver runs again.")
	srv.Shutdown(context.Background()) // bounded: running uploads are cut after a moment
	if sig == os.Interrupt {
		return exitInterrupted
	}
	return exitOK
}

// serveToken is the token a receiver was started with, and how to tell
// the user about it.
type serveToken struct {
	value string
	path  string // the file it is kept in
	fresh bool   // just made: print it, once
}

func startServe(o *serveOpts, stdout io.Writer) (*receiver.Server, serveToken, error) {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return nil, serveToken{}, fault.Wrap(fault.CodeBadSetting, err, "Cannot use the receive folder %s (%s).", o.dir, fault.Cause(err))
	}
	o.dir = dir
	tok, err := loadToken(o)
	if err != nil {
		return nil, tok, err
	}
	expire := o.expireIdle
	if expire == 0 {
		expire = -1 // never
	}
	srv, err := receiver.New(receiver.Config{
		Dir:          dir,
		Listen:       o.listen,
		Token:        tok.value,
		AllowOrigins: o.origins,
		MaxSize:      int64(o.maxSize),
		ExpireIdle:   expire,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(stdout, time.Now().Format("15:04:05 ")+format+"\n", args...)
		},
	})
	if err != nil {
		return nil, tok, err
	}
	return srv, tok, srv.Start()
}

// loadToken reads --token-file, or for a listener other machines can reach,
// the token kept in the data dir, made on first use.
func loadToken(o *serveOpts) (serveToken, error) {
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return serveToken{}, fault.Wrap(fault.CodeBadSetting, err, "Cannot read the token file %s: %s.", o.tokenFile, fault.Cause(err))
		}
		t := strings.TrimSpace(string(b))
		if t == "" || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return serveToken{}, usagef("The token file %s must hold one token: printable characters, no spaces", o.tokenFile)
		}
		if err := tokenFileOK(o.tokenFile, t, "put a longer random one in it"); err != nil {
			return serveToken{}, err
		}
		return serveToken{value: t, path: o.tokenFile}, nil
	}
	if receiver.LoopbackOnly(o.listen) {
		return serveToken{}, nil
	}
	dataDir, err := o.common.resolveDataDir()
	if err != nil {
		return serveToken{}, err
	}
	path := filepath.Join(dataDir, tokenFileName)
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) != "" {
		t := strings.TrimSpace(string(b))
		if err := tokenFileOK(path, t, "delete the file, and ferry serve makes a new one"); err != nil {
			return serveToken{}, err
		}
		return serveToken{value: t, path: path}, nil
	}
	raw := make([]byte, 24) // 192 bits
	rand.Read(raw)
	t := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return serveToken{}, fault.Wrap(fault.CodeBadSetting, err, "Cannot create the data dir %s for the token: %s.", dataDir, fault.Cause(err))
	}
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return serveToken{}, fault.Wrap(fault.CodeBadSetting, err, "Cannot keep the token in %s: %s.", path, fault.Cause(err))
	}
	return serveToken{value: t, path: path, fresh: true}, nil
}

// minTokenLen: 22 characters of the base64 alphabet hold 128 bits, the
// least a token that anyone on the network may try to guess should have.
const minTokenLen = 22

// tokenFileOK refuses a token others can read or guess: the file must be
// the user's alone (on Unix, no permission for group or others; on
// Windows the data dir's access list keeps it private) and the token long
// enough.
func tokenFileOK(path, t, remedy string) error {
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fault.New(fault.CodeBadSetting, "The token file %s can be read by other users (mode %#o); make it yours alone: chmod 600 %s", path, fi.Mode().Perm(), shellWord(path))
	}
	if n := utf8.RuneCountInString(t); n < minTokenLen {
		return fault.New(fault.CodeBadSetting, "The token in %s is %d characters; a token needs at least %d (128 bits of randomness) so that no one can guess it: %s.", path, n, minTokenLen, remedy)
	}
	return nil
}

func printServe(w io.Writer, srv *receiver.Server, o *serveOpts, tok serveToken) {
	fmt.Fprintf(w, "Ferry receiver: files land in %s\n", o.dir)
	lan := !receiver.LoopbackOnly(o.listen)
	if lan {
		fmt.Fprintf(w, "Warning: listening on %s, so other machines on your network can send files here; they need the token.\n", o.listen)
	}
	fmt.Fprintf(w, "Upload URL: %s\n", srv.URL())
	if local := srv.LocalURL(); local != srv.URL() {
		fmt.Fprintf(w, "On this machine: %s\n", local)
	}
	switch {
	case tok.value == "":
	case tok.fresh:
		fmt.Fprintf(w, "Token (shown once; kept in %s): %s\n", tok.path, tok.value)
	default:
		fmt.Fprintf(w, "Token: in %s\n", tok.path)
	}
	if len(o.origins) > 0 {
		fmt.Fprintf(w, "Web pages allowed to upload: %s\n", strings.Join(o.origins, ", "))
	}
	if tok.value == "" {
		fmt.Fprintf(w, "Send a file: %s upload --to %s FILE\n", invokedAs(), srv.URL())
	} else {
		// The token goes in by a file, never on a command line, where
		// every user of the machine sees it (ps).
		fmt.Fprintf(w, "Send files from another machine: copy %s there as ferry-token, then\n", tok.path)
		fmt.Fprintf(w, "  %s dest add this-receiver --kind ferry --url %s --token-stdin < ferry-token\n", invokedAs(), srv.URL())
		fmt.Fprintf(w, "  %s upload --to this-receiver FILE\n", invokedAs())
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// listFlag collects repeatable, comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func defaultReceiveDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Ferry", "Received")
	}
	return "Ferry Received"
}

// invokedAs is how the user started Ferry ("./ferry" from make run), so
// the printed command works when pasted.
func invokedAs() string {
	if strings.ContainsRune(os.Args[0], filepath.Separator) {
		return os.Args[0]
	}
	return "ferry"
}
