package localfile

import (
	"runtime"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// PathKey is a path as the file system compares names, so one file is one
// job however its name was typed: macOS's usual volumes ignore case and
// Unicode normalisation (NFC/NFD "café"), Windows ignores case, Linux
// compares bytes. The path itself is kept as the OS gave it.
func PathKey(path string) string { return pathKeyOn(runtime.GOOS, path) }

func pathKeyOn(goos, path string) string {
	switch goos {
	case "darwin", "ios":
		return strings.ToLower(norm.NFC.String(path))
	case "windows":
		return strings.ToLower(path)
	}
	return path
}
