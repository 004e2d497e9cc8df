package crash

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// osDetails is the distribution (os-release) and the kernel.
func osDetails() string {
	var parts []string
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if name := osRelease(p); name != "" {
			parts = append(parts, name)
			break
		}
	}
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, "kernel "+string(bytes.TrimSpace(k)))
	}
	return strings.Join(parts, "; ")
}

func osRelease(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "PRETTY_NAME="); ok {
			if u, err := strconv.Unquote(v); err == nil {
				return u
			}
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}
