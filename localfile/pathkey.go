package localfile

import (
	"runtime"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// PathKey is a path as the file system compares names, so one file is one
// job however its name was typed: macOS's usual volumes ignore case and
// Unicode normalisation (NFC/NFD "café"); Windows ignores case and reads
// C:\x, \\?\C:\x and \\.\C:\x as one path (and \\?\UNC\srv\share as
// \\srv\share); Linux compares bytes. The path itself is kept as the OS
// gave it.
func PathKey(path string) string { return pathKeyOn(runtime.GOOS, path) }

func pathKeyOn(goos, path string) string {
	switch goos {
	case "darwin", "ios":
		return strings.ToLower(norm.NFC.String(path))
	case "windows":
		path = strings.ToLower(path)
		if rest, ok := strings.CutPrefix(path, `\\?\unc\`); ok {
			return `\\` + rest
		}
		if len(path) > 4 && (path[:4] == `\\?\` || path[:4] == `\\.\`) {
			return path[4:]
		}
		return path
	}
	return path
}
