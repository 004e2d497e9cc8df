//go:build unix

package receiver

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// TestReceivedFilesGetTheUsersMode: a received file is the user's like any
// new file (0666 less the umask), not private as its work copy was.
func TestReceivedFilesGetTheUsersMode(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTest(t, dir, nil)
	upload(t, files, []byte("hello"), meta("filename", "hello.txt"))
	mask := syscall.Umask(0o22)
	syscall.Umask(mask)
	fi, err := os.Stat(filepath.Join(dir, "hello.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := os.FileMode(0o666 &^ mask); fi.Mode().Perm() != want {
		t.Fatalf("mode %v, want %v (umask %#o)", fi.Mode().Perm(), want, mask)
	}
}
