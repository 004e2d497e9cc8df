//go:build linux || freebsd || openbsd || netbsd || dragonfly

package autostart

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Supported reports whether Set can work here: desktops that follow XDG
// autostart start what lies in ~/.config/autostart.
func Supported() bool { return true }

// path is the entry's file in the user's XDG autostart dir.
func (e Entry) path() (string, error) {
	if e.ID == "" || strings.ContainsAny(e.ID, `/\`) || strings.HasPrefix(e.ID, ".") {
		return "", fmt.Errorf("Cannot name the login item %q: an id such as app.ferry.Ferry is needed", e.ID)
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("Cannot find the folder for programs started at login: %w", err)
	}
	return filepath.Join(dir, "autostart", e.ID+".desktop"), nil
}

// Enabled reports whether the desktop will start the entry at login: its
// file exists and neither hides it nor (GNOME) switches it off.
func (e Entry) Enabled() bool {
	path, err := e.path()
	if err != nil {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	group := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			group = line
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || group != "[Desktop Entry]" {
			continue
		}
		switch key, value = strings.TrimSpace(key), strings.TrimSpace(value); {
		case key == "Hidden" && value == "true",
			key == "X-GNOME-Autostart-enabled" && value == "false":
			return false
		}
	}
	return sc.Err() == nil
}

// Set writes the entry's file (on) or removes it (off); a missing file
// is already off.
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
		return fmt.Errorf("Cannot start Ferry at login: the program's full path is needed, not %q", e.Exec)
	}
	if err := writeFile(path, e.desktop()); err != nil {
		return fmt.Errorf("Cannot start Ferry at login: %w", err)
	}
	return nil
}
