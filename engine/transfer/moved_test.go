package transfer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
)

// TestSendOfAMovedFileFromItsNewName: a file renamed after its upload was
// created is gone under the old name (a permanent file_gone), and sent
// whole from the new one.
func TestSendOfAMovedFileFromItsNewName(t *testing.T) {
	path, sha := tustest.RandomFile(t, "", "r.bin", 64<<10, 12)
	moved := filepath.Join(filepath.Dir(path), "renamed.bin")
	if err := os.Rename(path, moved); err != nil {
		t.Fatal(err)
	}
	srv := tustest.New(t)
	c := newClient(t)
	tg := Target{Endpoint: srv.DirectURL}
	cr, err := c.Create(ctx(t), tg, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, path, 0, 64<<10, &progress{}, nil); fault.CodeOf(err) != fault.CodeFileGone || fault.KindOf(err) != fault.Permanent {
		t.Fatalf("Send of a moved file: %v (%q)", err, fault.CodeOf(err))
	}
	if _, err := c.Send(ctx(t), tg, cr.URL, moved, 0, 64<<10, &progress{}, nil); err != nil {
		t.Fatal(err)
	}
	stored(t, srv, cr.URL, sha)
}
