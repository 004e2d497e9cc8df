//go:build !windows

package console

// Attach does nothing: a program here has the console it was started from.
func Attach() {}
