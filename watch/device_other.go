//go:build !unix

package watch

import "io/fs"

// mountPoint: elsewhere a disk that goes takes its folder (a drive
// letter) with it, which is a folder missing.
func mountPoint(string, fs.FileInfo) bool { return false }
