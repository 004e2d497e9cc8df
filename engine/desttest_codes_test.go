package engine

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// appendOnly makes dir a folder where files can be made but not deleted
// (chattr +a), for as long as the test runs; it skips where the system
// cannot (no root, a file system without the flag).
func appendOnly(t *testing.T, dir string) {
	t.Helper()
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Skip("no chattr here")
	}
	if out, err := exec.Command(chattr, "+a", dir).CombinedOutput(); err != nil {
		t.Skipf("chattr +a %s: %v %s (needs root on a file system that has the flag)", dir, err, out)
	}
	t.Cleanup(func() { exec.Command(chattr, "-a", dir).Run() })
}

// TestTestOfTheReceiveFolderSaysWhyInASentence: a receive folder where
// Ferry can write but not delete fails the test with a sentence and a
// code, not os.Remove's own error.
func TestTestOfTheReceiveFolderSaysWhyInASentence(t *testing.T) {
	e := testEngine(t)
	dir := wine.TempDir(t)
	save(t, e, Destination{Name: "here", Kind: dest.KindBuiltin, URL: "http://127.0.0.1:1/files/", Dir: dir}, "")
	if err := e.TestDestination("here"); err != nil {
		t.Fatalf("a folder Ferry can write to: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the test left %d files behind", len(left))
	}
	appendOnly(t, dir)
	err := e.TestDestination("here")
	var te *fault.Error
	if !errors.As(err, &te) || te.Code != fault.CodeFileUnreadable || !strings.Contains(te.Msg, "cannot delete from it") || !strings.Contains(te.Msg, dir) {
		t.Fatalf("a folder Ferry cannot delete from: %v (%T, code %q); want a sentence naming %s with %q", err, err, fault.CodeOf(err), dir, fault.CodeFileUnreadable)
	}
}

// Every answer of a test that is not "fine" carries a code, what it
// leaves unchecked too.
func TestTestOfADestinationAlwaysGivesACode(t *testing.T) {
	e := testEngine(t)
	if err := e.TestDestination("nosuch"); fault.CodeOf(err) != fault.CodeNoDestination {
		t.Fatalf("an unknown destination: %v (code %q)", err, fault.CodeOf(err))
	}
	srv := tustest.New(t)
	cf := tustest.NewCloudflare(t, srv, tustest.CloudflareAccount, "cf")
	b := tustest.NewBackend(t, cf, "X-App-Key", "k")
	save(t, e, Destination{Name: "app", Kind: dest.KindBackend, URL: b.URL, Header: http.Header{"X-App-Key": {"k"}}}, "")
	err := e.TestDestination("app")
	var unchecked *ErrUnchecked
	if fault.CodeOf(err) != fault.CodeUnchecked || !errors.As(err, &unchecked) || unchecked.Msg != err.Error() {
		t.Fatalf("a backend: %v (code %q); want %q and the ErrUnchecked inside", err, fault.CodeOf(err), fault.CodeUnchecked)
	}
}
