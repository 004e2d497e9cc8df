//go:build !windows

package localfile

import "os"

// Open opens a source file for reading. On Unix a file can be renamed
// or deleted while open anyway.
func Open(path string) (*os.File, error) { return os.Open(path) }
