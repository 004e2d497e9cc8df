package crash

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// header is what a run writes at the top of its raw file: what its
// report says about it, known while it lives rather than guessed at the
// next start (which may be another version).
type header struct {
	Version, Build, Command, Started, PID, System, Go string
}

var headerKeys = []string{"Version", "Build", "Command", "Started", "PID", "System", "Go"}

func (h *header) field(k string) *string {
	switch k {
	case "Version":
		return &h.Version
	case "Build":
		return &h.Build
	case "Command":
		return &h.Command
	case "Started":
		return &h.Started
	case "PID":
		return &h.PID
	case "System":
		return &h.System
	case "Go":
		return &h.Go
	}
	return nil
}

func (h header) String() string {
	var b strings.Builder
	b.WriteString("Ferry's crash output: at the next start it becomes a report in this folder.\n")
	for _, k := range headerKeys {
		fmt.Fprintf(&b, "%s: %s\n", k, *h.field(k))
	}
	return b.String()
}

// parseRaw splits a raw file into its header and the crash output after
// it; crashed says there is some.
func parseRaw(data []byte) (h header, body []byte, crashed bool) {
	head, body, found := bytes.Cut(data, []byte("\n"+headerEnd))
	if !found {
		return h, nil, false // a run that died before its header was whole
	}
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if p := h.field(k); ok && p != nil {
			*p = v
		}
	}
	return h, body, len(bytes.TrimSpace(body)) > 0
}

// reportText is a report before its secrets are redacted. cut is how
// much crash output was left out.
func reportText(when time.Time, h header, body []byte, cut int64) string {
	or := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Ferry crash report\n\n")
	fmt.Fprintf(&b, "Ferry stopped unexpectedly on %s.\n\n", when.Local().Format("Monday 2 January 2006 at 15:04:05 -0700"))
	fmt.Fprintf(&b, "Time:     %s (the crash output's last write)\n", when.Local().Format(time.RFC3339))
	fmt.Fprintf(&b, "Version:  Ferry %s\n", or(h.Version))
	fmt.Fprintf(&b, "Build:    %s\n", or(h.Build))
	fmt.Fprintf(&b, "Command:  %s\n", or(h.Command))
	fmt.Fprintf(&b, "Started:  %s\n", or(h.Started))
	fmt.Fprintf(&b, "Process:  %s\n", or(h.PID))
	fmt.Fprintf(&b, "System:   %s\n", or(h.System))
	fmt.Fprintf(&b, "Go:       %s\n\n", or(h.Go))
	b.WriteString("Passwords in URLs, tokens, keys, signatures and Authorization values are replaced by REDACTED.\n")
	b.WriteString("Unfinished uploads resume when Ferry runs again.\n\n")
	b.WriteString("The Go runtime's crash output:\n\n")
	b.Write(bytes.TrimLeft(body, "\n"))
	if cut > 0 {
		fmt.Fprintf(&b, "\n[%d more bytes of crash output were not kept]\n", cut)
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// versionString is Ferry's version and the commit it was built from.
func versionString(v string) string {
	if v == "" {
		v = "unknown"
	}
	rev, modified := buildSetting("vcs.revision"), buildSetting("vcs.modified") == "true"
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev != "" && modified:
		v += " (commit " + rev + ", modified)"
	case rev != "":
		v += " (commit " + rev + ")"
	}
	return v
}

// buildString is how the binary was built, where it matters: build tags
// (nogui), cgo, the race detector.
func buildString() string {
	var parts []string
	if t := buildSetting("-tags"); t != "" {
		parts = append(parts, "-tags="+t)
	}
	if c := buildSetting("CGO_ENABLED"); c != "" {
		parts = append(parts, "CGO_ENABLED="+c)
	}
	if buildSetting("-race") == "true" {
		parts = append(parts, "-race")
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, " ")
}

func buildSetting(key string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// systemString is GOOS/GOARCH and what the system says of itself cheaply.
func systemString() string {
	s := runtime.GOOS + "/" + runtime.GOARCH
	if d := osDetails(); d != "" {
		s += "; " + d
	}
	return s
}

func goVersion() string { return runtime.Version() }
