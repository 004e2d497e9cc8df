//go:build !windows

package receiver

// hide is a no-op: the leading dot already hides the folder.
func hide(string) {}
