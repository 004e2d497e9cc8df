//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeFile replaces path whole, so a crash leaves the old file or the
// new one, never half of one for the desktop to read at the next login.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fileIn is the entry's file, named by its id, in dir (the folder the
// system looks in at login); dir is made by a function so that its error
// is said in the same words everywhere.
func (e Entry) fileIn(dir func() (string, error), ext string) (string, error) {
	if e.ID == "" || strings.ContainsAny(e.ID, `/\`) || strings.HasPrefix(e.ID, ".") {
		return "", fmt.Errorf("Cannot name the login item %q: an id such as app.ferry.Ferry is needed", e.ID)
	}
	d, err := dir()
	if err != nil {
		return "", fmt.Errorf("Cannot find the folder for programs started at login: %w", err)
	}
	return filepath.Join(d, e.ID+ext), nil
}

// setFile writes the entry's file (on) or removes it (off); a missing
// file is already off.
func (e Entry) setFile(path string, err error, on bool, content func() []byte) error {
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
	if err := writeFile(path, content()); err != nil {
		return fmt.Errorf("Cannot start Ferry at login: %w", err)
	}
	return nil
}
