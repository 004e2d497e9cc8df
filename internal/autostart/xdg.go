//go:build linux || freebsd || openbsd || netbsd || dragonfly

package autostart

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// Supported reports whether Set can work here: desktops that follow XDG
// autostart start what lies in ~/.config/autostart.
func Supported() bool { return true }

// path is the entry's file in the user's XDG autostart dir.
func (e Entry) path() (string, error) {
	return e.fileIn(func() (string, error) {
		d, err := os.UserConfigDir()
		return filepath.Join(d, "autostart"), err
	}, ".desktop")
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
	return e.setFile(path, err, on, e.desktop)
}
