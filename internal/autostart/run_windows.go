package autostart

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// Windows starts at login what the user's Run key names; Task Manager's
// Startup tab can switch an item off without removing it, which it notes
// under StartupApproved.
const (
	runKey      = `Software\Microsoft\Windows\CurrentVersion\Run`
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
)

// Supported: the user's Run key is always there.
func Supported() bool { return true }

// valueName is the item's name in the Run key (and in Task Manager).
func (e Entry) valueName() (string, error) {
	if e.Name == "" || strings.ContainsAny(e.Name, `\`) {
		return "", fmt.Errorf("Cannot name the login item %q.", e.Name)
	}
	return e.Name, nil
}

// command is the Run key's value: the program and its arguments, quoted
// as Windows parses a command line.
func (e Entry) command() string {
	parts := []string{windows.EscapeArg(e.Exec)}
	for _, a := range e.Args {
		parts = append(parts, windows.EscapeArg(a))
	}
	return strings.Join(parts, " ")
}

// Enabled: the Run key names this program, and Task Manager has not
// switched it off.
func (e Entry) Enabled() bool {
	name, err := e.valueName()
	if err != nil {
		return false
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	if v, _, err := k.GetStringValue(name); err != nil || v != e.command() {
		return false
	}
	return !switchedOff(name)
}

// switchedOff: Task Manager marks a disabled item with an odd first byte.
func switchedOff(name string) bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue(name)
	return err == nil && len(b) > 0 && b[0]&1 == 1
}

// Set writes the Run key's value (on) or removes it (off); on also clears
// a switch-off Task Manager left, as the user asked again.
func (e Entry) Set(on bool) error {
	name, err := e.valueName()
	if err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE|registry.QUERY_VALUE)
	if err != nil {
		return fmt.Errorf("Cannot reach the list of programs started at login: %w", err)
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return fmt.Errorf("Cannot stop Ferry starting at login: %w", err)
		}
		return nil
	}
	if !filepath.IsAbs(e.Exec) {
		return fmt.Errorf("Cannot start Ferry at login: the program's full path is needed, not %q.", e.Exec)
	}
	if err := k.SetStringValue(name, e.command()); err != nil {
		return fmt.Errorf("Cannot start Ferry at login: %w", err)
	}
	if a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE); err == nil {
		a.DeleteValue(name)
		a.Close()
	}
	return nil
}
