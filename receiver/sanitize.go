package receiver

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
	// Invalid bytes become "_" rather than vanish, so "\xff.mp4" keeps
	// its stem and with it its extension.
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), invisible(r):
			return -1
		case unicode.Is(unicode.Zs, r):
			return ' ' // no-break and other spaces look like a space
		case strings.ContainsRune(`<>:"|?*`, r):
			// Not allowed on Windows; ':' would even create an NTFS stream.
			return '_'
		}
		return r
	}, name)
	// One spelling per look: "café" typed on macOS (NFD) and on Windows
	// (NFC) is one name, so the second is numbered, not kept beside it.
	name = norm.NFC.String(name)
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

// invisible reports characters that draw nothing: format characters (zero
// width space and joiners, soft hyphen, byte order mark, and the direction
// overrides that disguise "photo\u202Egpj.exe"), line and paragraph
// separators, and variation selectors. Names that differ only by them
// would look the same in a file manager.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Variation_Selector) ||
		r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 // Hangul fillers
}

// isReservedOnWindows: "CON.txt", "aux.mp4" and friends name devices on
// Windows, whatever their extension: a file of that name would be written
// to the device (or refused) instead.
func isReservedOnWindows(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	switch u := strings.ToUpper(strings.TrimSpace(stem)); u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	default:
		port, n, ok := strings.Cut(u, "COM")
		if !ok || port != "" {
			port, n, ok = strings.Cut(u, "LPT")
		}
		// COM0 to COM9, and COM¹ to COM³ (Windows reads superscripts as
		// digits there); the same for LPT.
		return ok && port == "" && (len(n) == 1 && n[0] >= '0' && n[0] <= '9' || n == "¹" || n == "²" || n == "³")
	}
}
