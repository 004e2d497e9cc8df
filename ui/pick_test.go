package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ferry-app/ferry/internal/filepick"
	"github.com/ferry-app/ferry/internal/tustest"
)

// Add files… takes many files from the system's dialog at once and
// opens it next time where the last pick was; where there is no system
// dialog, Fyne's opens.
func TestAddFilesPicksManyAndRemembersTheFolder(t *testing.T) {
	h := newHarness(t)
	a, _ := h.file("one.mp4", 1000)
	b, _ := h.file("two words.mov", 2000)
	asked := make(chan string, 2)
	pickFiles = func(_ context.Context, _, dir string) ([]string, error) {
		asked <- dir
		return []string{a, b}, nil
	}
	t.Cleanup(func() { pickFiles = filepick.Files })
	h.w.addFilesDialog()
	h.rowOf("one.mp4", stateIs("Done"))
	h.rowOf("two words.mov", stateIs("Done"))
	if h.prefs().LastDir != filepath.Dir(a) {
		t.Fatalf("last folder kept: %q", h.prefs().LastDir)
	}
	<-asked // the first dialog's folder: none yet
	h.w.addFilesDialog()
	if dir := <-asked; dir != filepath.Dir(a) {
		t.Fatalf("the dialog opened in %q, want the last folder %q", dir, filepath.Dir(a))
	}
	deadline := time.Now().Add(10 * time.Second)

	for h.w.picking && time.Now().Before(deadline) { // the second pick's answer
		h.w.frame(false)
		time.Sleep(10 * time.Millisecond)
	}
	pickFiles = func(context.Context, string, string) ([]string, error) { return nil, filepick.ErrUnavailable }
	h.w.addFilesDialog()
	for h.w.win.Canvas().Overlays().Top() == nil && time.Now().Before(deadline) {
		h.w.frame(false)
		time.Sleep(10 * time.Millisecond)
	}
	if h.w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog where the system has none")
	}
}

// Where the system has no dialog, Ferry's own picks many files, in
// several folders, and skips hidden ones.
func TestOwnPickerTicksManyFiles(t *testing.T) {
	h := newHarness(t)
	a, _ := h.file("one.mp4", 1000)
	b, _ := h.file("two.mp4", 1000)
	sub := filepath.Join(h.dir, "day 2")
	os.Mkdir(sub, 0o755)
	c, _ := tustest.RandomFile(t, sub, "three.mov", 1000, 9)
	os.WriteFile(filepath.Join(h.dir, ".hidden.mp4"), []byte("x"), 0o644)
	var got []string
	p := newFilePicker(h.w.win, h.dir, func(paths []string) { got = paths })
	names := func() (n []string) {
		for _, e := range p.entries {
			n = append(n, e.Name())
		}
		return n
	}
	if strings.Join(names(), ",") != "day 2,one.mp4,two.mp4" {
		t.Fatalf("listed %v", names())
	}
	if !p.add.Disabled() {
		t.Fatal("Add is on with nothing ticked")
	}
	p.tap(1)
	p.tap(2)
	p.tap(0) // into day 2
	p.tap(0)
	if p.add.Text != "Add 3 files" {
		t.Fatalf("button %q", p.add.Text)
	}
	test.Tap(p.add)
	if strings.Join(got, ",") != strings.Join([]string{a, b, c}, ",") {
		t.Fatalf("picked %v", got)
	}
	p.open(filepath.Join(h.dir, "nowhere"))
	if !strings.Contains(p.problem.Text, "Cannot open") || p.dir != sub {
		t.Fatalf("a folder that is not there: %q, at %s", p.problem.Text, p.dir)
	}
}
