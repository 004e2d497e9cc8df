package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
	"github.com/ferry-app/ferry/keychain"
)

// errUsage marks a command line that cannot be run (exit 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usagef(format string, args ...any) error { return errUsage{fmt.Sprintf(format, args...)} }

// common are the flags every engine command shares.
type common struct {
	dataDir     string
	concurrency int
	chunkSize   sizeFlag
	limitRate   sizeFlag
	headers     headerFlag
	meta        metaFlag
	json        bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dataDir, "data-dir", "", "where the queue lives (default $FERRY_DATA_DIR, else Ferry's folder in the user config dir: ~/.config/ferry, %APPDATA%\\Ferry, ~/Library/Application Support/Ferry)")
	fs.IntVar(&c.concurrency, "concurrency", 3, "uploads at once")
	fs.Var(&c.chunkSize, "chunk-size", "bytes per PATCH request, e.g. 50MB or 50MiB; 0 = one streaming request (fastest)")
	fs.Var(&c.limitRate, "limit-rate", "cap on upload speed for all files together, e.g. 2MB (per second); 0 = none")
	fs.Var(&c.headers, "header", `extra request header "Key: Value" (repeatable)`)
	fs.Var(&c.meta, "meta", "extra upload metadata key=value (repeatable)")
	fs.BoolVar(&c.json, "json", false, "print one JSON object a line")
}

// resolveDataDir applies --data-dir, then FERRY_DATA_DIR, then Ferry's
// folder in the user config dir.
func (c *common) resolveDataDir() (string, error) {
	if c.dataDir != "" {
		return filepath.Abs(c.dataDir)
	}
	if d := os.Getenv("FERRY_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fault.Wrap(fault.CodeBadSetting, err, "Cannot find a folder for Ferry's queue (%s); pass --data-dir.", fault.Cause(err))
	}
	return filepath.Join(base, dataDirName()), nil
}

// dataDirName is Ferry's folder in the user config dir, as each system
// writes its programs' folders: %APPDATA%\Ferry, ~/Library/Application
// Support/Ferry, ~/.config/ferry.
func dataDirName() string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return "Ferry"
	}
	return "ferry"
}

// engineOptions are the engine's options from the flags; warnings (the
// keychain's fallback) go to warn.
func (c *common) engineOptions(warn io.Writer) (engine.Options, error) {
	dir, err := c.resolveDataDir()
	if err != nil {
		return engine.Options{}, err
	}
	if c.concurrency < 1 {
		return engine.Options{}, usagef("--concurrency must be at least 1")
	}
	say := func(s string) { fmt.Fprintf(warn, "ferry: %s\n", s) }
	return engine.Options{
		DataDir:     dir,
		Concurrency: c.concurrency,
		RateLimit:   int64(c.limitRate),
		Keychain:    keychain.Open(dir, say),
		Warn:        say,
	}, nil
}

// parse parses flags and positional arguments in any order, as people
// type them ("ferry upload a.mp4 --to URL").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// sizeFlag reads byte sizes and rates as internal/units does, as the
// window does: 5MB, 500kB, 2MB/s, 50MiB, 1.5G, 1048576.
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := units.Parse(v)
	switch {
	case errors.Is(err, units.ErrBits):
		return fmt.Errorf("%q is in bits; Ferry counts bytes (8 Mbps is 1MB/s)", v)
	case err != nil || n > 1<<62:
		return fmt.Errorf("%q is not a size (try 5MB, 500kB, 50MiB or a number of bytes)", v)
	}
	*s = sizeFlag(n)
	return nil
}

// headerFlag collects "Key: Value" headers.
type headerFlag http.Header

func (h *headerFlag) String() string { return "" }

func (h *headerFlag) Set(v string) error {
	k, val, err := engine.ParseHeader(v)
	if err != nil {
		return err
	}
	if *h == nil {
		*h = headerFlag{}
	}
	http.Header(*h).Add(k, val)
	return nil
}

// metaFlag collects key=value metadata.
type metaFlag map[string]string

func (m *metaFlag) String() string { return "" }

func (m *metaFlag) Set(v string) error {
	k, val, err := engine.ParseMeta(v)
	if err != nil {
		return err
	}
	if *m == nil {
		*m = metaFlag{}
	}
	(*m)[k] = val
	return nil
}

// checkDest validates --to before anything is queued.
func checkDest(raw string) error {
	if raw == "" {
		return usagef("--to is required: the tus upload URL, e.g. --to http://127.0.0.1:1080/files/")
	}
	if err := dest.CheckURL(raw); err != nil {
		return usagef("--to: %v", err)
	}
	return nil
}

func (h headerFlag) header() http.Header { return http.Header(h).Clone() }
