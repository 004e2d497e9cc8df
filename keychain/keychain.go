// Package keychain is where Ferry keeps the secrets of saved destinations
// (API tokens, secret header values): the OS keychain when it works
// (macOS Keychain, Windows Credential Manager, Secret Service over D-Bus on
// Linux, through github.com/zalando/go-keyring), else an announced fallback
// file, <dataDir>/secrets.json, mode 0600.
//
// Secret values never appear in errors: an error names the destination and
// key that failed, never the value.
package keychain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ferry-app/ferry/fault"
)

// ErrNotFound: no secret of that name. Errors returned by Get wrap it (they
// also name the destination and key): test with errors.Is.
var ErrNotFound = errors.New("no such secret")

// FileName is the fallback file inside the data directory.
const FileName = "secrets.json"

// The keys a destination's secrets are kept under.
const (
	Token        = "token"   // its API token (FERRY_TOKEN_<NAME> stands in for it)
	HeaderPrefix = "header:" // + a header's name: that header's value
	URL          = "url"     // its URL whole, user-info and signing parameters included
)

// Describe names the secret a key holds, for a sentence.
func Describe(key string) string {
	if h, ok := strings.CutPrefix(key, HeaderPrefix); ok {
		return "value of header " + h
	}
	if key == URL {
		return "URL (with its user name, password or signing parameters)"
	}
	return key
}

// service is the go-keyring service name of every Ferry item.
const service = "ferry"

const (
	// probeTimeout bounds the check in Open: go-keyring over D-Bus can hang
	// when there is no session bus.
	probeTimeout = 2 * time.Second
	// opTimeout bounds each later call to the OS keychain; it is long
	// because unlocking a keychain may ask the user for a password.
	opTimeout = 60 * time.Second
)

// mu serialises every read-modify-write of the fallback file and of the
// per-destination key index, for all Keychain values in this process.
// Between processes the last writer wins (the file is replaced atomically,
// so it is never torn, but a concurrent change by another process can be
// lost); Ferry's single-instance guard makes that rare.
var mu sync.Mutex

// Keychain keeps secrets by destination name and key (e.g. "token",
// "header:Authorization"). Its methods are safe for concurrent use.
type Keychain struct {
	path   string  // the fallback file
	sys    backend // the OS keychain; nil when it did not work at Open
	reason string  // why the OS keychain is not used (fallback only)
	warn   func(string)
	warned bool // guarded by mu
}

// Open picks the OS keychain when it works (and FileEnv does not say
// otherwise), else the fallback file
// <dataDir>/secrets.json (mode 0600, its directory created 0700). Whether
// the OS keychain works is checked once, here, with a probe item (set, get,
// delete) and a timeout of a few seconds. warn, which may be nil, is called
// once, the first time the fallback file is used for a Set, with a sentence
// that says what is stored where and with which permissions.
//
// An empty dataDir means os.UserConfigDir()/ferry.
func Open(dataDir string, warn func(string)) *Keychain {
	return open(dataDir, warn, systemKeyring{}, probeTimeout)
}

func open(dataDir string, warn func(string), sys backend, timeout time.Duration) *Keychain {
	if dataDir == "" {
		if d, err := os.UserConfigDir(); err == nil {
			dataDir = filepath.Join(d, "ferry")
		} else {
			dataDir = "."
		}
	}
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	k := &Keychain{path: filepath.Join(dataDir, FileName), warn: warn}
	switch err := probe(sys, timeout); {
	case os.Getenv(FileEnv) == "file":
		k.reason = FileEnv + "=file"
	case err != nil:
		k.reason = fallbackReason(err, timeout)
	default:
		k.sys = sys
	}
	return k
}

// FileEnv, set to "file", keeps secrets in the fallback file even where
// the OS keychain works: a shared account, a CI machine, tests (whose
// secrets must stay in their own folder, not in the user's keychain).
const FileEnv = "FERRY_KEYCHAIN"

// Where says where secrets are kept now: "the system keychain", or the path
// of the fallback file.
func (k *Keychain) Where() string {
	if k.sys != nil {
		return "the system keychain"
	}
	return k.path
}

// TokenEnv is the environment variable whose value, when set and not empty,
// is the "token" of destination dest: FERRY_TOKEN_ and dest with a-z
// upper-cased and every byte other than A-Z and 0-9 replaced by '_'
// ("my dest/1" → FERRY_TOKEN_MY_DEST_1).
func TokenEnv(dest string) string {
	b := make([]byte, 0, len("FERRY_TOKEN_")+len(dest))
	b = append(b, "FERRY_TOKEN_"...)
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			c = '_'
		}
		b = append(b, c)
	}
	return string(b)
}

// Get returns the secret key of destination dest. For key "token" a
// non-empty FERRY_TOKEN_<DEST> in the environment wins (see TokenEnv);
// otherwise the OS keychain is asked and then the fallback file (which may
// hold secrets saved while the OS keychain was not available). An error
// wrapping ErrNotFound means there is none.
func (k *Keychain) Get(dest, key string) (string, error) {
	if err := checkName(dest, key); err != nil {
		return "", err
	}
	if key == Token {
		if v := os.Getenv(TokenEnv(dest)); v != "" {
			return v, nil
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if k.sys != nil {
		v, err := sysGet(k.sys, itemUser(dest, key))
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, errSysNotFound) {
			return "", failed(err, "Cannot read the %s of %s from the system keychain (%s).", Describe(key), dest, fault.Cause(err))
		}
	}
	f, err := loadFile(k.path)
	if err != nil {
		return "", failed(err, "Cannot read the %s of %s from %s (%s).", Describe(key), dest, k.path, fault.Cause(err))
	}
	if v, ok := f.Secrets[dest][key]; ok {
		return v, nil
	}
	return "", failed(ErrNotFound, "There is no %s of %s in the keychain.", Describe(key), dest)
}

// Set stores value as the secret key of destination dest, replacing any.
func (k *Keychain) Set(dest, key, value string) error {
	if err := checkName(dest, key); err != nil {
		return err
	}
	if !utf8.ValidString(value) {
		return failed(nil, "The %s of %s is not valid UTF-8 text; a keychain cannot keep it.", Describe(key), dest)
	}
	if k.sys != nil {
		mu.Lock()
		defer mu.Unlock()
		if err := k.setSystem(dest, key, value); err != nil {
			return failed(scrub(err, value), "Cannot keep the %s of %s in the system keychain (%s).", Describe(key), dest, fault.Cause(scrub(err, value)))
		}
		// A copy left in the file from a time without a keychain goes.
		if err := k.editFile(func(f *fileData) bool { return f.remove(dest, key) }); err != nil {
			return failed(err, "Kept the %s of %s in the system keychain, but cannot take its old copy out of %s (%s).", Describe(key), dest, k.path, fault.Cause(err))
		}
		return nil
	}

	mu.Lock()
	err := k.editFile(func(f *fileData) bool { f.put(dest, key, value); return true })
	first := err == nil && !k.warned
	if first {
		k.warned = true
	}
	mu.Unlock()
	if err != nil {
		return failed(scrub(err, value), "Cannot keep the %s of %s in %s (%s).", Describe(key), dest, k.path, fault.Cause(scrub(err, value)))
	}
	if first && k.warn != nil {
		k.warn(k.fallbackSentence())
	}
	return nil
}

// Delete removes every secret of destination dest; none is no error.
func (k *Keychain) Delete(dest string) error {
	if err := checkName(dest, "-"); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if k.sys != nil {
		if err := k.deleteSystem(dest); err != nil {
			return failed(err, "Cannot take the secrets of %s out of the system keychain (%s).", dest, fault.Cause(err))
		}
	}
	if err := k.editFile(func(f *fileData) bool { return f.removeAll(dest) }); err != nil {
		return failed(err, "Cannot take the secrets of %s out of %s (%s).", dest, k.path, fault.Cause(err))
	}
	return nil
}

// DeleteKey removes one secret of destination dest; none is no error.
func (k *Keychain) DeleteKey(dest, key string) error {
	if err := checkName(dest, key); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if k.sys != nil {
		if err := k.deleteSystemKey(dest, key); err != nil {
			return failed(err, "Cannot take the %s of %s out of the system keychain (%s).", Describe(key), dest, fault.Cause(err))
		}
	}
	if err := k.editFile(func(f *fileData) bool { return f.remove(dest, key) }); err != nil {
		return failed(err, "Cannot take the %s of %s out of %s (%s).", Describe(key), dest, k.path, fault.Cause(err))
	}
	return nil
}

func (k *Keychain) fallbackSentence() string {
	perm := "in plain text, readable only by you (0600)"
	if runtime.GOOS == "windows" {
		perm = "in plain text, protected only by your user account's file permissions"
	}
	if k.reason == FileEnv+"=file" {
		return fmt.Sprintf("As %s=file asks, Ferry keeps tokens in %s, %s.", FileEnv, k.path, perm)
	}
	return fmt.Sprintf("No system keychain here (%s): Ferry keeps tokens in %s, %s.", k.reason, k.path, perm)
}

func fallbackReason(err error, timeout time.Duration) string {
	if errors.Is(err, errTimeout) {
		return fmt.Sprintf("the system keychain did not answer within %s", timeout)
	}
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return "no Secret Service on D-Bus"
	case "darwin":
		return "the macOS Keychain refused a test item"
	case "windows":
		return "Windows Credential Manager refused a test item"
	}
	return "no keychain support on " + runtime.GOOS
}

func checkName(dest, key string) error {
	switch {
	case dest == "":
		return failed(nil, "A secret needs the name of its destination.")
	case key == "":
		return failed(nil, "A secret of %s needs a key.", dest)
	case !utf8.ValidString(dest):
		return failed(nil, "A destination name that is not valid UTF-8 cannot name a secret.")
	case !utf8.ValidString(key):
		return failed(nil, "A key of %s that is not valid UTF-8 cannot name a secret.", dest)
	}
	return nil
}

// redactedError is an error whose text had a secret value cut out.
type redactedError struct {
	msg string
	err error // a sentinel worth keeping for errors.Is, or nil
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// scrub returns err, or, when its text contains value, an error with the
// value replaced and no chain that could show it.
func scrub(err error, value string) error {
	if err == nil || value == "" || !strings.Contains(err.Error(), value) {
		return err
	}
	var keep error
	for _, s := range []error{errTimeout, errTooBig} {
		if errors.Is(err, s) {
			keep = s
		}
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), value, "REDACTED"), err: keep}
}

// Fallback is the sentence that says secrets are kept in the fallback
// file and why, or "" when the system keychain keeps them.
func (k *Keychain) Fallback() string {
	if k.sys != nil {
		return ""
	}
	return k.fallbackSentence()
}

// failed is a keychain error: CodeKeychain, a sentence, the cause kept
// (a secret scrubbed from it) for errors.Is and the log.
func failed(cause error, format string, args ...any) error {
	return fault.Wrap(fault.CodeKeychain, cause, format, args...)
}
