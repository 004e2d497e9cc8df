package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Supported: launchd starts the LaunchAgents in ~/Library/LaunchAgents at
// login.
func Supported() bool { return true }

// path is the entry's property list among the user's LaunchAgents.
func (e Entry) path() (string, error) {
	if e.ID == "" || strings.ContainsAny(e.ID, `/\`) || strings.HasPrefix(e.ID, ".") {
		return "", fmt.Errorf("Cannot name the login item %q: an id such as app.ferry.Ferry is needed.", e.ID)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("Cannot find the folder for programs started at login: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", e.ID+".plist"), nil
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
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("Cannot stop Ferry starting at login: %w", err)
		}
		return nil
	}
	if !filepath.IsAbs(e.Exec) {
		return fmt.Errorf("Cannot start Ferry at login: the program's full path is needed, not %q.", e.Exec)
	}
	if err := writeFile(path, e.launchAgent()); err != nil {
		return fmt.Errorf("Cannot start Ferry at login: %w", err)
	}
	return nil
}
