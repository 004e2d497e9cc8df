//go:build nogui

package app

import (
	"io"

	"github.com/ferry-app/ferry/fault"
)

// cmdWindow: this build has no window; the notes are printed.
func cmdWindow(args []string, notes []string, stdout, stderr io.Writer) int {
	sayNotes(stderr, notes)
	if _, err := parseWindowArgs(args, stdout); err != nil {
		return exitCode(err, stderr)
	}
	return exitCode(fault.New(fault.CodeNoWindow, "This Ferry was built without its window (-tags nogui). Use `ferry upload --to URL FILE`, `ferry serve`, or `ferry help`."), stderr)
}
