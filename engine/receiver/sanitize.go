package receiver

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes keeps names well under the usual 255-byte limit, leaving room
// for a " (12)" suffix.
const maxNameBytes = 200

// maxExtBytes: anything longer after the last dot is not treated as an
// extension worth preserving when shortening.
const maxExtBytes = 32

// SanitizeName turns a client-supplied file name into a safe base name for a
// file directly inside the receive folder. It never returns "", "." or "..",
// a name starting with a dot, or one containing a path separator.
func SanitizeName(name string) string {
	if s := sanitize(name); s != "" {
		return s
	}
	return "upload"
}

// sanitize is SanitizeName without the fallback, so callers can pick their
// own fallback ("upload-<id>").
func sanitize(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), isBidiControl(r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			// Not allowed on Windows; ':' would even create an NTFS stream.
			return '_'
		}
		return r
	}, name)
	// Clients may send full paths from any OS: keep only the last element.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = trimDotsAndSpaces(name)
	if len(name) > maxNameBytes {
		stem, ext := splitExt(name)
		stem = truncate(stem, maxNameBytes-len(ext))
		name = trimDotsAndSpaces(stem) + ext
	}
	if name == "" {
		return ""
	}
	if isReservedOnWindows(name) {
		name = "_" + name
	}
	return name
}

// trimDotsAndSpaces drops leading dots (hidden files, "." and "..") and
// trailing dots, which Windows silently strips, together with spaces.
func trimDotsAndSpaces(s string) string {
	dotOrSpace := func(r rune) bool { return r == '.' || unicode.IsSpace(r) }
	return strings.TrimRightFunc(strings.TrimLeftFunc(s, dotOrSpace), dotOrSpace)
}

// splitExt splits "movie.mp4" into "movie" and ".mp4"; implausibly long or
// missing extensions give "".
func splitExt(name string) (stem, ext string) {
	ext = path.Ext(name)
	if len(ext) > maxExtBytes || ext == name {
		return name, ""
	}
	return name[:len(name)-len(ext)], ext
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// isBidiControl reports the explicit direction overrides used to disguise
// names like "photo\u202Egpj.exe".
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F
}

// isReservedOnWindows: "CON.txt" and friends name devices on Windows.
func isReservedOnWindows(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	switch u := strings.ToUpper(strings.TrimSpace(stem)); u {
	case "CON", "PRN", "AUX", "NUL":
		return true
	default:
		return len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '1' && u[3] <= '9'
	}
}
