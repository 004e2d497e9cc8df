//go:build !(linux || freebsd || openbsd || netbsd || dragonfly || darwin || windows)

package autostart

import (
	"fmt"
	"runtime"
)

// Supported reports whether Set can work here; not yet on this OS.
func Supported() bool { return false }

// Enabled is false: Ferry makes no login item here.
func (e Entry) Enabled() bool { return false }

// Set says that starting at login is not available on this OS yet.
func (e Entry) Set(on bool) error {
	if !on {
		return nil
	}
	return fmt.Errorf("Starting at login is not supported on %s yet.", osName())
}

func osName() string {
	switch runtime.GOOS {
	case "darwin":
		return "macOS"
	case "windows":
		return "Windows"
	}
	return runtime.GOOS
}
