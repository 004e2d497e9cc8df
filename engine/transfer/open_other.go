//go:build !windows

package transfer

import "os"

// OpenFile opens a source file for reading. On Unix a file can be renamed
// or deleted while open anyway.
func OpenFile(path string) (*os.File, error) { return os.Open(path) }
