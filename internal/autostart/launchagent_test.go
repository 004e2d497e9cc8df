package autostart

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

// The LaunchAgent is a property list launchd reads: the label, the
// program and its arguments as given (XML escapes undone), run once at
// login, never kept alive against the user quitting Ferry.
func TestLaunchAgentSaysWhatLaunchdNeeds(t *testing.T) {
	e := Entry{ID: "app.ferry.Ferry", Name: "Ferry", Exec: "/Applications/Ferry & Co <1>.app/Contents/MacOS/ferry", Args: []string{"--hidden", `a "quoted" arg`}}
	plist := string(e.launchAgent())
	if !strings.HasPrefix(plist, `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(plist, `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"`) {
		t.Fatalf("not a property list:\n%s", plist)
	}
	// A plist dict is keys followed by their values, in order.
	var doc struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Text    string   `xml:",chardata"`
				Strings []string `xml:"string"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(plist), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, plist)
	}
	got := map[string]string{}
	var args []string
	items := doc.Dict.Items
	for i := 0; i+1 < len(items); i += 2 {
		if items[i].XMLName.Local != "key" {
			t.Fatalf("item %d is a <%s>, not a key:\n%s", i, items[i].XMLName.Local, plist)
		}
		k, v := items[i].Text, items[i+1]
		got[k] = v.XMLName.Local + ":" + v.Text
		if k == "ProgramArguments" {
			args = v.Strings
		}
	}
	want := map[string]string{"Label": "string:app.ferry.Ferry", "RunAtLoad": "true:", "ProcessType": "string:Interactive"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["KeepAlive"]; ok {
		t.Error("KeepAlive would start Ferry again each time the user quits it")
	}
	if wantArgs := append([]string{e.Exec}, e.Args...); !slices.Equal(args, wantArgs) {
		t.Fatalf("ProgramArguments %q, want %q", args, wantArgs)
	}
}
