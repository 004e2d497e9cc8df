//go:build linux || freebsd || openbsd || netbsd || dragonfly

package autostart

import "strings"

// desktop is the entry as a Desktop Entry file.
func (e Entry) desktop() []byte {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\nType=Application\n")
	line := func(key, value string) {
		if value != "" {
			b.WriteString(key + "=" + escape(value) + "\n")
		}
	}
	line("Name", e.Name)
	line("Comment", e.Comment)
	argv := append([]string{e.Exec}, e.Args...)
	if strings.Contains(e.Exec, "%") {
		// GLib looks the program up before it undoes %%, so a path with
		// % would not be found; env is found and gets the path undone.
		argv = append([]string{"/usr/bin/env"}, argv...)
	}
	line("Exec", execLine(argv))
	line("Icon", e.ID)
	b.WriteString("Terminal=false\nX-GNOME-Autostart-enabled=true\n")
	return []byte(b.String())
}

// escape applies the spec's escapes for string values; a reader undoes
// them before it reads an Exec line's quoting.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	s = r.Replace(s)
	if strings.HasPrefix(s, " ") {
		s = `\s` + s[1:] // a reader trims a leading space
	}
	return s
}

// reserved are the characters that make the spec require an Exec
// argument to be quoted.
const reserved = " \t\n\"'\\><~|&;$*?#()`"

// execLine writes argv with the Exec key's quoting: % doubled (it starts
// field codes), and an argument holding a reserved character in double
// quotes with " ` $ \ backslashed.
func execLine(argv []string) string {
	q := strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`)
	out := make([]string, len(argv))
	for i, a := range argv {
		a = strings.ReplaceAll(a, "%", "%%")
		if a == "" || strings.ContainsAny(a, reserved) {
			a = `"` + q.Replace(a) + `"`
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
