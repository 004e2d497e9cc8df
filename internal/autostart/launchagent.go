package autostart

import (
	"bytes"
	"encoding/xml"
)

// launchAgent is the entry as a macOS LaunchAgent property list: launchd
// runs it once at login (RunAtLoad), as an interactive program, and never
// restarts it when the user quits Ferry (no KeepAlive). It is made here on
// every system so that its content is tested where the tests run.
func (e Entry) launchAgent() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	key := func(k string) { b.WriteString("\t<key>" + k + "</key>\n") }
	str := func(indent, v string) {
		b.WriteString(indent + "<string>")
		xml.EscapeText(&b, []byte(v))
		b.WriteString("</string>\n")
	}
	key("Label")
	str("\t", e.ID)
	key("ProgramArguments")
	b.WriteString("\t<array>\n")
	for _, a := range append([]string{e.Exec}, e.Args...) {
		str("\t\t", a)
	}
	b.WriteString("\t</array>\n")
	key("RunAtLoad")
	b.WriteString("\t<true/>\n")
	key("ProcessType")
	str("\t", "Interactive")
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes()
}
