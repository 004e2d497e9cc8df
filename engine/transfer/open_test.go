package transfer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
)

// TestOpenFileAllowsRename: a file being sent can be renamed (on Windows
// this needs FILE_SHARE_DELETE), and the upload goes on from the handle.
func TestOpenFileAllowsRename(t *testing.T) {
	path, sha := tustest.RandomFile(t, "", "r.bin", 64<<10, 12)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	moved := filepath.Join(filepath.Dir(path), "renamed.bin")
	if err := os.Rename(path, moved); err != nil {
		t.Fatalf("rename while open: %v", err)
	}
	if b, err := io.ReadAll(f); err != nil || len(b) != 64<<10 {
		t.Fatalf("read after rename: %d bytes, %v", len(b), err)
	}
	if _, err := OpenFile(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenFile of a missing file: %v", err)
	}

	srv := tustest.New(t)
	c := newClient(t)
	tg := Target{Endpoint: srv.DirectURL}
	cr, err := c.Create(ctx(t), tg, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, 64<<10, &progress{}, nil); CodeOf(err) != CodeFileGone || KindOf(err) != Permanent {
		t.Fatalf("Send of a moved file: %v (%q)", err, CodeOf(err))
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, moved, 0, 64<<10, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	stored(t, srv, cr.URL, sha)
}
