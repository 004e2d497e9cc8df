package localfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
)

// TestOpenAllowsRename: a file being sent can be renamed (on Windows
// this needs FILE_SHARE_DELETE), and what is read from the handle is
// still the file.
func TestOpenAllowsRename(t *testing.T) {
	path, sha := tustest.RandomFile(t, "", "r.bin", 64<<10, 12)
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	moved := filepath.Join(filepath.Dir(path), "renamed.bin")
	if err := os.Rename(path, moved); err != nil {
		t.Fatalf("rename while open: %v", err)
	}
	b, err := io.ReadAll(f)
	if sum := sha256.Sum256(b); err != nil || hex.EncodeToString(sum[:]) != sha {
		t.Fatalf("read after rename: %d bytes, other bytes or %v", len(b), err)
	}
	if _, err := Open(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v", err)
	}
}
