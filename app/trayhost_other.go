//go:build !nogui && !linux

package app

// trayHost: Windows and macOS always have a notification area / menu bar.
func trayHost() bool { return true }
