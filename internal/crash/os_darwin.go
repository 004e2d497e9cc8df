package crash

import (
	"os"
	"regexp"
)

var plistVersion = regexp.MustCompile(`<key>ProductVersion</key>\s*<string>([^<]+)</string>`)

// osDetails is the macOS version.
func osDetails() string {
	b, err := os.ReadFile("/System/Library/CoreServices/SystemVersion.plist")
	if err != nil {
		return ""
	}
	if m := plistVersion.FindSubmatch(b); m != nil {
		return "macOS " + string(m[1])
	}
	return ""
}
