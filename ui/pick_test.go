package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/filepick"
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
	if LoadPrefs(h.eng).LastDir != filepath.Dir(a) {
		t.Fatalf("last folder kept: %q", LoadPrefs(h.eng).LastDir)
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
