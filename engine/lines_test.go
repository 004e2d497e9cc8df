package engine

import "testing"

// The window and the command line read headers and metadata one way.
func TestHeadersAndMetadataAreReadOneWay(t *testing.T) {
	for _, c := range []struct{ in, name, value string }{
		{"authorization:  Bearer x:y", "Authorization", "Bearer x:y"},
		{" X-Project : demo ", "X-Project", "demo"},
	} {
		if k, v, err := ParseHeader(c.in); err != nil || k != c.name || v != c.value {
			t.Errorf("ParseHeader(%q) = %q, %q, %v", c.in, k, v, err)
		}
	}
	for _, bad := range []string{"nocolon", ": v", "two words: v", "X-Empty:", "X-Ctl\x01: v"} {
		if _, _, err := ParseHeader(bad); err == nil {
			t.Errorf("header %q accepted", bad)
		}
	}
	for _, c := range []struct{ in, key, value string }{
		{"requiresignedurls", "requiresignedurls", ""},
		{"project = demo", "project", "demo"},
		{"name=a=b", "name", "a=b"},
	} {
		if k, v, err := ParseMeta(c.in); err != nil || k != c.key || v != c.value {
			t.Errorf("ParseMeta(%q) = %q, %q, %v", c.in, k, v, err)
		}
	}
	for _, bad := range []string{"a b=c", "a,b=c", "=v", " "} {
		if _, _, err := ParseMeta(bad); err == nil {
			t.Errorf("metadata %q accepted", bad)
		}
	}
}
