// Package wine tells a test whether it runs under Wine, where Ferry's
// Windows build is tested here, and skips what cannot pass there because
// of Wine itself, naming the limit. On real Windows, and elsewhere,
// nothing is skipped.
package wine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Running: this process runs under Wine.
func Running() bool { return running() }

// Skip skips t under Wine, saying which of Wine's limits the test meets.
func Skip(t testing.TB, limit string) {
	t.Helper()
	if Running() {
		t.Skip("Wine: " + limit)
	}
}

// TempDir is t.TempDir, but one that Wine can clean up. Go's RemoveAll
// deletes with FileDispositionInformationEx (Windows 10 1607), which Wine
// 8 does not implement ("unlinkat …: Invalid function"), so t.TempDir's
// clean-up fails every test that made a file. Under Wine the folder is
// removed one entry at a time with os.Remove, which Wine does; elsewhere
// it is t.TempDir itself.
func TempDir(t TB) string {
	t.Helper()
	if !Running() {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "ferry-test-")
	if err != nil {
		t.Fatalf("making a test folder: %v", err)
	}
	t.Cleanup(func() {
		if err := removeAll(dir); err != nil {
			t.Logf("removing the test folder %s: %v", dir, err)
		}
	})
	return dir
}

// TB is what TempDir needs of a test: *testing.T and *testing.B are one,
// and so is the stand-ins' tools/standins.
type TB interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// RemoveAll is os.RemoveAll, which under Wine removes one entry at a
// time (see TempDir).
func RemoveAll(path string) error {
	if !Running() {
		return os.RemoveAll(path)
	}
	return removeAll(path)
}

// removeAll removes a folder's entries depth first, then the folder.
func removeAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			err = removeAll(p)
		} else {
			os.Chmod(p, 0o600) // a read-only file cannot be deleted on Windows
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
