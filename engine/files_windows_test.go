package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// Windows only: what the file system there does that Unix does not.

// TestExportInProgressWaits: a video still held open for writing by the
// program exporting it waits, saying why, and is sent whole once that
// program closes it; nothing is created on the server before. Exporters
// that share reading and those that share nothing are both met.
func TestExportInProgressWaits(t *testing.T) {
	for _, share := range []struct {
		name string
		mode uint32
	}{{"shares reading", windows.FILE_SHARE_READ}, {"shares nothing", 0}} {
		t.Run(share.name, func(t *testing.T) {
			srv := tustest.New(t)
			e := newEngine(t, func(o *Options) { o.Settle = 200 * time.Millisecond })
			e.Start()
			p, _ := tustest.RandomFile(t, wine.TempDir(t), "export.mp4", 1<<20, 1)
			p16, _ := windows.UTF16PtrFromString(p)
			h, err := windows.CreateFile(p16, windows.GENERIC_WRITE, share.mode, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
			if err != nil {
				t.Fatal(err)
			}
			w := os.NewFile(uintptr(h), p)
			j, err := e.Add(p, destOf(srv))
			if err != nil {
				t.Fatalf("a file being exported is refused: %v", err)
			}
			waiting, _ := waitJob(t, e, 20*time.Second, func(j Job) bool {
				return j.State == Waiting && strings.Contains(j.Reason, "open in another program")
			}, j.ID)
			if srv.Created() != 0 {
				t.Fatalf("an upload was created while the file was being written (%s)", waiting.Reason)
			}
			// The export goes on, then ends.
			w.Seek(0, 2)
			w.Write(make([]byte, 512<<10))
			w.Close()
			sha := tustest.FileSHA256(t, p)
			done := waitFor(t, e, j.ID, 30*time.Second, Done, Failed)
			if done.State != Done {
				t.Fatalf("%s: %s", done.State, done.Error)
			}
			assertArrived(t, srv, "export.mp4", sha, 1)
		})
	}
}

// TestRenamedOrDeletedWhileSent: Ferry's open file never stops the user
// renaming, moving or deleting it (delete sharing). The job then fails
// naming the file, and the moved file, added again, arrives whole.
func TestRenamedOrDeletedWhileSent(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 1 << 20}))
	e := newEngine(t)
	e.Start()
	dir := wine.TempDir(t)
	p, sha := tustest.RandomFile(t, dir, "move.mp4", 4<<20, 1)
	j, _ := e.Add(p, destOf(srv))
	waitOffset(t, e, j.ID, 256<<10, 10*time.Second)
	moved := filepath.Join(dir, "elsewhere", "moved.mp4")
	os.Mkdir(filepath.Dir(moved), 0o755)
	if err := os.Rename(p, moved); err != nil {
		t.Fatalf("renaming a file being sent: %v", err)
	}
	f := waitFor(t, e, j.ID, 30*time.Second, Failed, Done)
	if f.State != Failed || !strings.Contains(f.Error, p) || !strings.Contains(f.Error, "gone") {
		t.Fatalf("%s: %q", f.State, f.Error)
	}
	srv.SetFaults(tustest.Faults{})
	again, err := e.Add(moved, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if d := waitFor(t, e, again.ID, 30*time.Second, Done, Failed); d.State != Done {
		t.Fatalf("the moved file: %s %s", d.State, d.Error)
	}
	assertArrived(t, srv, "moved.mp4", sha, 2)

	p2, _ := tustest.RandomFile(t, dir, "delete.mp4", 4<<20, 2)
	srv.SetFaults(tustest.Faults{RateLimit: 1 << 20})
	j2, _ := e.Add(p2, destOf(srv))
	waitOffset(t, e, j2.ID, 256<<10, 10*time.Second)
	if err := os.Remove(p2); err != nil {
		t.Fatalf("deleting a file being sent: %v", err)
	}
	wine.Skip(t, "a deleted file keeps its name while a handle to it is open (Windows 10 deletes the name at once, POSIX semantics)")
	if f := waitFor(t, e, j2.ID, 30*time.Second, Failed, Done); f.State != Failed || !strings.Contains(f.Error, "gone") {
		t.Fatalf("%s: %q", f.State, f.Error)
	}
}

// TestPathsWindowsSpells: a path longer than MAX_PATH (260) is sent; one
// file typed with another case or in its \\?\ form is one job, sent
// once; so is one reached through the machine's administrative share as
// \\localhost\C$\... or \\?\UNC\localhost\C$\....
func TestPathsWindowsSpells(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	deep := wine.TempDir(t)
	for len(deep) < 300 {
		deep = filepath.Join(deep, strings.Repeat("d", 40))
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	p, sha := tustest.RandomFile(t, deep, "long.mp4", 1<<20, 1)
	if len(p) <= 260 {
		t.Fatalf("the path is %d characters", len(p))
	}
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if d := waitFor(t, e, j.ID, 30*time.Second, Done, Failed); d.State != Done {
		t.Fatalf("a %d-character path: %s %s", len(p), d.State, d.Error)
	}
	assertArrived(t, srv, "long.mp4", sha, 1)

	q, sha2 := tustest.RandomFile(t, wine.TempDir(t), "Spelled.mp4", 1<<20, 2)
	spellings := []string{q, strings.ToUpper(q[:1]) + strings.ToLower(q[1:]), `\\?\` + q}
	oneJob(t, e, srv, spellings...)
	assertArrived(t, srv, "Spelled.mp4", sha2, 2)

	// Through the machine's administrative share of the drive, a UNC path
	// (Wine's test prefix has one, scripts/wine/prefix), in both its
	// spellings: one job, sent whole. (Windows itself counts a file
	// reached over a share as another path than its local one.)
	r, sha3 := tustest.RandomFile(t, wine.TempDir(t), "shared.mp4", 1<<20, 3)
	unc := `\\localhost\` + r[:1] + `$` + r[2:]
	if !statOK(unc) {
		t.Fatalf("no administrative share: %s cannot be read", unc)
	}
	oneJob(t, e, srv, unc, `\\?\UNC\localhost\`+r[:1]+`$`+r[2:])
	assertArrived(t, srv, "shared.mp4", sha3, 3)
}

// oneJob adds each of paths, one file's spellings, and fails unless they
// are one job, done.
func oneJob(t *testing.T, e *Engine, srv *tustest.Server, paths ...string) {
	t.Helper()
	var id string
	for _, p := range paths {
		j, err := e.Add(p, destOf(srv))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if id == "" {
			id = j.ID
		} else if j.ID != id {
			t.Fatalf("%s is a second job", p)
		}
		if d := waitFor(t, e, id, 30*time.Second, Done, Failed); d.State != Done {
			t.Fatalf("%s: %s %s", p, d.State, d.Error)
		}
	}
}

func statOK(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
