package tustest

import (
	"fmt"
	"os"
)

// Hand is a TB for programs outside tests (the stand-ins, the Windows
// end-to-end run): clean-ups run at Close, a fatal error ends the program
// after them.
type Hand struct{ cleanups []func() }

func (h *Hand) Helper()          {}
func (h *Hand) Cleanup(f func()) { h.cleanups = append(h.cleanups, f) }

func (h *Hand) TempDir() string {
	d, err := os.MkdirTemp("", "ferry-hand-")
	if err != nil {
		h.Fatalf("%v", err)
	}
	h.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func (h *Hand) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func (h *Hand) Fatalf(format string, args ...any) {
	h.Logf(format, args...)
	h.Close()
	os.Exit(1)
}

// Close runs the clean-ups, last first.
func (h *Hand) Close() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
}
