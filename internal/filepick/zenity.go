//go:build windows || darwin || linux || freebsd || openbsd || netbsd || dragonfly

package filepick

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/ncruces/zenity"
)

// zenityFiles and zenityFolder show the dialog of ncruces/zenity: the
// system's own on Windows and macOS, zenity's (or qarma's, matedialog's)
// elsewhere.
func zenityFiles(ctx context.Context, title, dir string) ([]string, error) {
	paths, err := zenity.SelectFileMultiple(zenityOptions(ctx, title, dir)...)
	return paths, zenityError(ctx, err)
}

func zenityFolder(ctx context.Context, title, dir string) (string, error) {
	path, err := zenity.SelectFile(append(zenityOptions(ctx, title, dir), zenity.Directory())...)
	return path, zenityError(ctx, err)
}

func zenityOptions(ctx context.Context, title, dir string) []zenity.Option {
	o := []zenity.Option{zenity.Context(ctx), zenity.Title(title)}
	if dir != "" {
		// A trailing separator: open in the folder, select nothing.
		o = append(o, zenity.Filename(dir+string(filepath.Separator)))
	}
	return o
}

func zenityError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, zenity.ErrCanceled):
		return ErrCancelled
	case errors.Is(err, exec.ErrNotFound):
		return ErrUnavailable
	}
	return fmt.Errorf("filepick: %w", err)
}
