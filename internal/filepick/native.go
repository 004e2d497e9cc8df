//go:build windows || darwin

package filepick

import "context"

// On Windows and macOS the system's dialog is always there.

func files(ctx context.Context, title, dir string) ([]string, error) {
	return zenityFiles(ctx, title, dir)
}

func folder(ctx context.Context, title, dir string) (string, error) {
	return zenityFolder(ctx, title, dir)
}
