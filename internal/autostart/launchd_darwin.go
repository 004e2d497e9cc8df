package autostart

import (
	"os"
	"path/filepath"
)

// Supported: launchd starts the LaunchAgents in ~/Library/LaunchAgents at
// login.
func Supported() bool { return true }

// path is the entry's property list among the user's LaunchAgents.
func (e Entry) path() (string, error) {
	return e.fileIn(func() (string, error) {
		home, err := os.UserHomeDir()
		return filepath.Join(home, "Library", "LaunchAgents"), err
	}, ".plist")
}

// Enabled: the LaunchAgent is there.
func (e Entry) Enabled() bool {
	path, err := e.path()
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// Set writes the LaunchAgent (on) or removes it (off).
func (e Entry) Set(on bool) error {
	path, err := e.path()
	return e.setFile(path, err, on, e.launchAgent)
}
