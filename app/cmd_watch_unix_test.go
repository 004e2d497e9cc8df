//go:build unix

package app

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ferry-app/ferry/internal/tustest"
)

// A sub-folder that cannot be read is named, and the rest uploaded. Root
// reads every folder, so as root the watch runs as nobody.
func TestWatchNamesAnUnreadableSubFolder(t *testing.T) {
	srv := tustest.New(t)
	base, err := os.MkdirTemp("", "ferry-watch-perm")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "w")
	locked := filepath.Join(dir, "locked")
	t.Cleanup(func() { os.Chmod(locked, 0o755); os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	tustest.RandomFile(t, locked, "secret.mp4", 1000, 1)
	pok, sha := tustest.RandomFile(t, dir, "ok.mp4", 1000, 2)
	data := filepath.Join(base, "data")
	bin := ""
	var attr *syscall.SysProcAttr
	if os.Geteuid() == 0 {
		// The binary where nobody may run it, every file nobody's.
		bin = filepath.Join(base, "ferry")
		b, err := os.ReadFile(ferryBin)
		if err != nil || os.WriteFile(bin, b, 0o755) != nil {
			t.Fatal(err)
		}
		os.Mkdir(data, 0o700)
		filepath.Walk(base, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
		attr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	os.Chmod(locked, 0)
	w := startWatch(t, bin, attr, "--data-dir", data, "--settle", "300ms", "--to", srv.URL, dir)
	w.waitFor(t, "ferry: Cannot read "+locked+": permission denied; skipped", "uploaded  "+pok)
	w.stop(t)
	if up, _ := srv.UploadByName("ok.mp4"); up.SHA256 != sha || srv.Created() != 1 {
		t.Fatalf("ok.mp4: %+v, %d created", up, srv.Created())
	}
}
