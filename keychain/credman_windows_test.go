package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// TestCredentialManagerKeepsSecrets: on Windows the system keychain is the
// Credential Manager (go-keyring's wincred). A secret set there is read
// back, is not in the fallback file, and is gone once deleted. It runs
// under Wine only, whose prefix is the test's own: on a real Windows it
// would write into the user's Credential Manager.
func TestCredentialManagerKeepsSecrets(t *testing.T) {
	if !wine.Running() {
		t.Skip("would write into this user's Credential Manager (it runs under Wine, in the test prefix)")
	}
	t.Setenv(FileEnv, "")
	dir := wine.TempDir(t)
	k := Open(dir, func(string) {})
	if k.Where() != "the system keychain" {
		t.Fatalf("secrets go to %s (%s)", k.Where(), k.Fallback())
	}
	b := make([]byte, 16)
	rand.Read(b)
	dest, secret := "credman-test-"+hex.EncodeToString(b[:4]), "s3cret-"+hex.EncodeToString(b)
	if err := k.Set(dest, Token, secret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(dest) })
	if got, err := k.Get(dest, Token); err != nil || got != secret {
		t.Fatalf("read back %q, %v", got, err)
	}
	if f, err := os.ReadFile(filepath.Join(dir, FileName)); err == nil && strings.Contains(string(f), secret) {
		t.Fatal("the secret is in the fallback file too")
	}
	if err := k.Delete(dest); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(dest, Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
}
