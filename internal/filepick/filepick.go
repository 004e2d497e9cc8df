// Package filepick asks the user for files or a folder in the system's
// own dialog: Windows' and macOS's through github.com/ncruces/zenity; on
// Linux and the BSDs the XDG desktop portal's file chooser when the
// session bus has one, then zenity (or qarma, matedialog), then kdialog.
// Where none exists it says ErrUnavailable at once and the caller shows
// Fyne's dialog instead. It knows nothing of Fyne.
//
// The calls block until the user answers: run them off the UI goroutine.
package filepick

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

var (
	// ErrCancelled: the user closed the dialog without choosing.
	ErrCancelled = errors.New("filepick: cancelled")
	// ErrUnavailable: there is no native dialog here; use another.
	ErrUnavailable = errors.New("filepick: no native file dialog")
)

// Files asks for one or more files and returns their absolute paths.
// The dialog opens in startDir, or where the last pick in this process
// was when startDir is "". Cancelling ctx closes the dialog and returns
// ctx.Err().
func Files(ctx context.Context, title, startDir string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	paths, err := files(ctx, title, startFrom(startDir))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, ErrCancelled
	}
	for i, p := range paths {
		if paths[i], err = filepath.Abs(p); err != nil {
			return nil, err
		}
	}
	remember(filepath.Dir(paths[0]))
	return paths, nil
}

// Folder asks for one folder, as Files does.
func Folder(ctx context.Context, title, startDir string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir, err := folder(ctx, title, startFrom(startDir))
	if err != nil {
		return "", err
	}
	if dir == "" {
		return "", ErrCancelled
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return "", err
	}
	remember(filepath.Dir(dir)) // where the dialog showed it
	return dir, nil
}

var last struct {
	sync.Mutex
	dir string
}

func remember(dir string) {
	last.Lock()
	last.dir = dir
	last.Unlock()
}

// startFrom is the folder to open in: dir, else the last one, each moved
// up to the nearest folder that exists; "" lets the dialog choose.
func startFrom(dir string) string {
	if dir == "" {
		last.Lock()
		dir = last.dir
		last.Unlock()
	}
	if dir == "" {
		return ""
	}
	dir = filepath.Clean(dir)
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}
