//go:build linux || freebsd || openbsd || netbsd || dragonfly

package filepick

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// On Linux and the BSDs: the desktop portal (GNOME's, KDE's… dialog, as
// the desktop draws it), then the zenity-like programs ncruces/zenity
// runs, then kdialog, which it does not.

func files(ctx context.Context, title, dir string) ([]string, error) {
	paths, err := portalOpen(ctx, title, dir, false)
	if !errors.Is(err, errNoPortal) {
		return paths, err
	}
	if zenityPresent() {
		return zenityFiles(ctx, title, dir)
	}
	if kd, err := exec.LookPath("kdialog"); err == nil {
		out, err := kdialog(ctx, kd, "--title", title, "--getopenfilename", startArg(dir), "--multiple", "--separate-output")
		if err != nil {
			return nil, err
		}
		return strings.Split(out, "\n"), nil
	}
	return nil, ErrUnavailable
}

func folder(ctx context.Context, title, dir string) (string, error) {
	paths, err := portalOpen(ctx, title, dir, true)
	if !errors.Is(err, errNoPortal) {
		if err != nil {
			return "", err
		}
		return paths[0], nil
	}
	if zenityPresent() {
		return zenityFolder(ctx, title, dir)
	}
	if kd, err := exec.LookPath("kdialog"); err == nil {
		return kdialog(ctx, kd, "--title", title, "--getexistingdirectory", startArg(dir))
	}
	return "", ErrUnavailable
}

// zenityPresent says whether ncruces/zenity has a program to run: it
// looks for the same ones, in the same order, but only once a process.
func zenityPresent() bool {
	for _, p := range []string{"qarma", "zenity", "matedialog"} {
		if _, err := exec.LookPath(p); err == nil {
			return true
		}
	}
	return false
}

// kdialog runs kdialog and returns what it printed, without the last
// newline; exit status 1 is the user's cancel.
func kdialog(ctx context.Context, path string, args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return "", ErrCancelled
	case err != nil:
		return "", fmt.Errorf("filepick: kdialog: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	out = bytes.TrimSuffix(out, []byte("\n"))
	if len(out) == 0 {
		return "", ErrCancelled
	}
	return string(out), nil
}

// startArg is kdialog's start folder: dir, else the home folder.
func startArg(dir string) string {
	if dir != "" {
		return dir
	}
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	return "."
}
