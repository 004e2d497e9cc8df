package keychain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/ferry-app/ferry/internal/wine"
)

var errNotFoundLike = keyring.ErrNotFound

// fakeKeyring stands in for the OS keychain.
type fakeKeyring struct {
	mu      sync.Mutex
	items   map[string]string
	failSet bool // Set fails with an error that quotes the password
	failGet bool
	hang    bool
}

func newFake() *fakeKeyring { return &fakeKeyring{items: map[string]string{}} }

func (f *fakeKeyring) Set(s, u, p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang {
		select {}
	}
	if f.failSet && !strings.HasPrefix(u, "probe.") {
		return fmt.Errorf("backend refused %q for %s", p, u)
	}
	f.items[s+"\x00"+u] = p
	return nil
}

func (f *fakeKeyring) Get(s, u string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failGet && !strings.HasPrefix(u, "probe.") {
		return "", errors.New("backend broke")
	}
	v, ok := f.items[s+"\x00"+u]
	if !ok {
		return "", errNotFoundLike
	}
	return v, nil
}

func (f *fakeKeyring) Delete(s, u string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[s+"\x00"+u]; !ok {
		return errNotFoundLike
	}
	delete(f.items, s+"\x00"+u)
	return nil
}

func (f *fakeKeyring) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items)
}

type failingKeyring struct{}

func (failingKeyring) Set(s, u, p string) error        { return errors.New("no keyring") }
func (failingKeyring) Get(s, u string) (string, error) { return "", errors.New("no keyring") }
func (failingKeyring) Delete(s, u string) error        { return errors.New("no keyring") }

// modes opens a Keychain on the fallback file and one on a fake OS keychain.
func modes(t *testing.T) map[string]func(t *testing.T) (*Keychain, *fakeKeyring) {
	return map[string]func(t *testing.T) (*Keychain, *fakeKeyring){
		"file": func(t *testing.T) (*Keychain, *fakeKeyring) {
			k := open(wine.TempDir(t), nil, failingKeyring{}, time.Second)
			if k.sys != nil {
				t.Fatal("fallback not chosen")
			}
			return k, nil
		},
		"system": func(t *testing.T) (*Keychain, *fakeKeyring) {
			f := newFake()
			k := open(wine.TempDir(t), nil, f, time.Second)
			if k.sys == nil || k.Where() != "the system keychain" {
				t.Fatalf("system keychain not chosen: %q", k.Where())
			}
			if f.count() != 0 {
				t.Fatalf("probe left %d items", f.count())
			}
			return k, f
		},
	}
}

func TestOpenFallsBackWithoutDBus(t *testing.T) {
	switch runtime.GOOS {
	case "darwin", "windows":
		t.Skip("the OS keychain does not use D-Bus here")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	dir := filepath.Join(wine.TempDir(t), "data")
	var warnings []string
	start := time.Now()
	k := Open(dir, func(s string) { warnings = append(warnings, s) })
	if d := time.Since(start); d >= 2*time.Second {
		t.Fatalf("Open took %s", d)
	}
	path := filepath.Join(dir, "secrets.json")
	if k.Where() != path {
		t.Fatalf("Where = %q, want %q", k.Where(), path)
	}
	if len(warnings) != 0 {
		t.Fatalf("warned before any Set: %q", warnings)
	}
	if _, err := k.Get("d", "token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty: %v", err)
	}
	if err := k.Set("d", "token", "s3cret-one"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("d", "header:Authorization", "Bearer s3cret-two"); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 {
		t.Fatalf("warn called %d times: %q", len(warnings), warnings)
	}
	w := warnings[0]
	for _, want := range []string{path, "0600", "D-Bus"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q does not mention %q", w, want)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", di.Mode().Perm())
	}
	if v, err := k.Get("d", "token"); err != nil || v != "s3cret-one" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	// A second value on the same directory sees the same secrets.
	k2 := Open(dir, nil)
	if v, err := k2.Get("d", "header:Authorization"); err != nil || v != "Bearer s3cret-two" {
		t.Fatalf("Get from a second Open = %q, %v", v, err)
	}
	// No temp files are left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("data dir holds %d entries, want only secrets.json", len(ents))
	}
}

func TestProbeTimeout(t *testing.T) {
	f := newFake()
	f.hang = true
	var warned []string
	start := time.Now()
	k := open(wine.TempDir(t), func(s string) { warned = append(warned, s) }, f, 100*time.Millisecond)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("open took %s", d)
	}
	if k.sys != nil {
		t.Fatal("a hanging keychain was chosen")
	}
	if err := k.Set("x", "token", "v"); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "did not answer") {
		t.Fatalf("warnings: %q", warned)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k, _ := mk(t)
			if err := k.Set("cf", "token", "one"); err != nil {
				t.Fatal(err)
			}
			if err := k.Set("cf", "token", "two"); err != nil {
				t.Fatal(err)
			}
			if v, err := k.Get("cf", "token"); err != nil || v != "two" {
				t.Fatalf("Get = %q, %v", v, err)
			}
			_, err := k.Get("cf", "header:X")
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing key: %v", err)
			}
			if !strings.Contains(err.Error(), " of cf ") || !strings.Contains(err.Error(), "header X") {
				t.Errorf("error does not name destination and key: %v", err)
			}
			if err := k.Delete("cf"); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Get("cf", "token"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("after Delete: %v", err)
			}
			if err := k.Delete("cf"); err != nil {
				t.Fatalf("second Delete: %v", err)
			}
			if err := k.Delete("never-there"); err != nil {
				t.Fatalf("Delete of nothing: %v", err)
			}
		})
	}
}

func TestDeleteOnlyOneDestination(t *testing.T) {
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k, f := mk(t)
			set := func(d, key, v string) {
				t.Helper()
				if err := k.Set(d, key, v); err != nil {
					t.Fatal(err)
				}
			}
			set("a", "token", "a1")
			set("a", "header:Authorization", "a2")
			set("a", "header:X-Key", "a3")
			set("b", "token", "b1")
			set("b", "header:Authorization", "b2")
			if err := k.Delete("a"); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"token", "header:Authorization", "header:X-Key"} {
				if _, err := k.Get("a", key); !errors.Is(err, ErrNotFound) {
					t.Errorf("a/%s survived Delete: %v", key, err)
				}
			}
			if v, err := k.Get("b", "token"); err != nil || v != "b1" {
				t.Errorf("b token = %q, %v", v, err)
			}
			if v, err := k.Get("b", "header:Authorization"); err != nil || v != "b2" {
				t.Errorf("b header = %q, %v", v, err)
			}
			if f != nil {
				if err := k.Delete("b"); err != nil {
					t.Fatal(err)
				}
				if n := f.count(); n != 0 {
					t.Errorf("%d items left in the keychain (index included)", n)
				}
			}
		})
	}
}

func TestEnvTokenWins(t *testing.T) {
	if got := TokenEnv("my dest/1"); got != "FERRY_TOKEN_MY_DEST_1" {
		t.Fatalf("TokenEnv = %q", got)
	}
	if got := TokenEnv("ü"); got != "FERRY_TOKEN___" {
		t.Fatalf("TokenEnv(ü) = %q", got)
	}
	if got := TokenEnv("Cf-2"); got != "FERRY_TOKEN_CF_2" {
		t.Fatalf("TokenEnv = %q", got)
	}
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k, _ := mk(t)
			if err := k.Set("my dest/1", "token", "stored"); err != nil {
				t.Fatal(err)
			}
			if err := k.Set("my dest/1", "header:Authorization", "stored-h"); err != nil {
				t.Fatal(err)
			}
			t.Setenv("FERRY_TOKEN_MY_DEST_1", "from-env")
			if v, err := k.Get("my dest/1", "token"); err != nil || v != "from-env" {
				t.Fatalf("Get = %q, %v", v, err)
			}
			if v, _ := k.Get("my dest/1", "header:Authorization"); v != "stored-h" {
				t.Fatalf("env leaked into another key: %q", v)
			}
			// Env works with nothing stored too.
			t.Setenv("FERRY_TOKEN_CI", "ci-token")
			if v, err := k.Get("ci", "token"); err != nil || v != "ci-token" {
				t.Fatalf("Get(ci) = %q, %v", v, err)
			}
			// Empty means unset.
			t.Setenv("FERRY_TOKEN_MY_DEST_1", "")
			if v, _ := k.Get("my dest/1", "token"); v != "stored" {
				t.Fatalf("empty env: %q", v)
			}
		})
	}
}

func TestOddNames(t *testing.T) {
	names := []string{"my dest/1", "ü", "a", "a/b", "a%2Fb", "tab\there", "  ", "日本"}
	keys := []string{"token", "b/c", "header:Authorization", "%"}
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k, _ := mk(t)
			for _, d := range names {
				for _, key := range keys {
					if err := k.Set(d, key, d+"|"+key); err != nil {
						t.Fatalf("Set(%q, %q): %v", d, key, err)
					}
				}
			}
			for _, d := range names {
				for _, key := range keys {
					if v, err := k.Get(d, key); err != nil || v != d+"|"+key {
						t.Fatalf("Get(%q, %q) = %q, %v", d, key, v, err)
					}
				}
			}
			if err := k.Delete("a/b"); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Get("a/b", "token"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("a/b survived: %v", err)
			}
			for _, d := range []string{"a", "a%2Fb", "my dest/1", "ü"} {
				if v, err := k.Get(d, "b/c"); err != nil || v != d+"|b/c" {
					t.Fatalf("Delete(a/b) touched %q: %q, %v", d, v, err)
				}
			}
			if err := k.Set("", "token", "x"); err == nil {
				t.Error("empty destination accepted")
			}
			if err := k.Set("d", "", "x"); err == nil {
				t.Error("empty key accepted")
			}
		})
	}
}

func TestValueNeverInErrors(t *testing.T) {
	const secret = "sk-VERY-SECRET-4711"
	check := func(t *testing.T, err error) {
		t.Helper()
		for e := err; e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), secret) {
				t.Fatalf("secret in error: %v", e)
			}
		}
	}
	t.Run("file", func(t *testing.T) {
		// The data dir is a file: every write fails.
		blocker := filepath.Join(wine.TempDir(t), "blocker")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		k := open(filepath.Join(blocker, "data"), nil, failingKeyring{}, time.Second)
		err := k.Set("d", "token", secret)
		if err == nil {
			t.Fatal("Set into a file path succeeded")
		}
		check(t, err)
		if !strings.Contains(err.Error(), "token of d ") {
			t.Errorf("error does not name destination and key: %v", err)
		}
		// A damaged file: the parse error must not quote the content.
		dir := wine.TempDir(t)
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
		k = open(dir, nil, failingKeyring{}, time.Second)
		_, err = k.Get("d", "token")
		if err == nil || errors.Is(err, ErrNotFound) {
			t.Fatalf("damaged file: %v", err)
		}
		check(t, err)
		check(t, k.Set("d", "token", secret))
		check(t, k.Delete("d"))
	})
	t.Run("system", func(t *testing.T) {
		f := newFake()
		k := open(wine.TempDir(t), nil, f, time.Second)
		f.failSet = true
		err := k.Set("d", "token", secret)
		if err == nil {
			t.Fatal("failing Set succeeded")
		}
		check(t, err)
		if !strings.Contains(err.Error(), " of d ") {
			t.Errorf("error does not name the destination: %v", err)
		}
		f.failSet = false
		if err := k.Set("d", "token", secret); err != nil {
			t.Fatal(err)
		}
		f.failGet = true
		_, err = k.Get("d", "token")
		if err == nil {
			t.Fatal("failing Get succeeded")
		}
		check(t, err)
	})
}

func TestSystemReadsAndClearsOldFileCopy(t *testing.T) {
	dir := wine.TempDir(t)
	// Saved while there was no keychain.
	old := open(dir, nil, failingKeyring{}, time.Second)
	if err := old.Set("d", "token", "from-file"); err != nil {
		t.Fatal(err)
	}
	if err := old.Set("d", "header:A", "h"); err != nil {
		t.Fatal(err)
	}
	k := open(dir, nil, newFake(), time.Second)
	if v, err := k.Get("d", "token"); err != nil || v != "from-file" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := k.Set("d", "token", "new"); err != nil {
		t.Fatal(err)
	}
	if v, err := old.Get("d", "token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old copy left in the file: %q, %v", v, err)
	}
	if err := k.Delete("d"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatalf("file with no secrets left: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k1, f := mk(t)
			// A second value on the same data dir and keychain.
			var k2 *Keychain
			if f != nil {
				k2 = open(filepath.Dir(k1.path), nil, f, time.Second)
			} else {
				k2 = open(filepath.Dir(k1.path), nil, failingKeyring{}, time.Second)
			}
			var wg sync.WaitGroup
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					k := k1
					if i%2 == 1 {
						k = k2
					}
					d := fmt.Sprintf("d%d", i%4)
					if err := k.Set(d, fmt.Sprintf("k%d", i), fmt.Sprint(i)); err != nil {
						t.Error(err)
					}
					_, _ = k.Get(d, "k0")
					_ = k.Where()
				}(i)
			}
			wg.Wait()
			for i := 0; i < 20; i++ {
				if v, err := k1.Get(fmt.Sprintf("d%d", i%4), fmt.Sprintf("k%d", i)); err != nil || v != fmt.Sprint(i) {
					t.Errorf("k%d = %q, %v", i, v, err)
				}
			}
			for d := 0; d < 4; d++ {
				if err := k2.Delete(fmt.Sprintf("d%d", d)); err != nil {
					t.Fatal(err)
				}
			}
			if f != nil && f.count() != 0 {
				t.Errorf("%d items left", f.count())
			}
		})
	}
}

// FERRY_KEYCHAIN=file keeps secrets in the data dir's file even where the
// OS keychain works, and says so.
func TestFileEnvKeepsSecretsInTheFile(t *testing.T) {
	t.Setenv(FileEnv, "file")
	dir := wine.TempDir(t)
	var said []string
	k := open(dir, func(s string) { said = append(said, s) }, newFake(), time.Second)
	if err := k.Set("d", "token", "t0k"); err != nil {
		t.Fatal(err)
	}
	if k.Where() != filepath.Join(dir, FileName) {
		t.Fatalf("secrets kept in %s", k.Where())
	}
	if v, err := k.Get("d", "token"); err != nil || v != "t0k" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if len(said) != 1 || !strings.Contains(said[0], "FERRY_KEYCHAIN=file") {
		t.Fatalf("said %q", said)
	}
}
