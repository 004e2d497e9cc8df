package watch

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// A disk unmounted from the watched folder (the mount point stays) is
// shown as gone, and the folder is watched again once a disk is mounted
// there. Mounting needs root: elsewhere the test is skipped.
func TestUnmountedDiskIsShownAndWatchedAgain(t *testing.T) {
	dir := mkdir(t, filepath.Join(wine.TempDir(t), "card"))
	mount := func() {
		if err := syscall.Mount("ferry-test", dir, "tmpfs", 0, "size=16m"); err != nil {
			t.Skipf("cannot mount a tmpfs here (%v)", err)
		}
	}
	mount()
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	r := newRig(t, nil, Options{})
	r.watch(r.folder(dir))
	_, sha := tustest.RandomFile(t, dir, "a.mp4", 100<<10, 1)
	arrived(t, r.srv, "a.mp4", sha)

	// Lazily, as a yanked card: a walk that holds the folder open at
	// that moment would make a plain unmount fail with EBUSY.
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "shown as gone", func() bool { return r.status(dir).State == Missing })
	if s := r.status(dir); !strings.Contains(s.Problem, "The disk mounted at "+dir+" is gone (unmounted)") {
		t.Fatalf("problem %q", s.Problem)
	}
	n := r.count(Scanned, dir)
	mount()
	r.waitEvents(Scanned, dir, n+1)
	_, sha = tustest.RandomFile(t, dir, "b.mp4", 100<<10, 2)
	arrived(t, r.srv, "b.mp4", sha)
	created(t, r.srv, 2)
}
