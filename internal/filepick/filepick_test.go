package filepick

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

func TestStartFrom(t *testing.T) {
	dir := wine.TempDir(t)
	sub := filepath.Join(dir, "videos")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	remember("")
	for _, c := range []struct{ in, want string }{
		{sub, sub},
		{filepath.Join(sub, "gone", "deeper"), sub}, // moved up to what exists
		{filepath.Join(sub, "") + string(filepath.Separator), sub},
		{"", ""},
	} {
		if got := startFrom(c.in); got != c.want {
			t.Errorf("startFrom(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	remember(sub)
	if got := startFrom(""); got != sub {
		t.Errorf("startFrom(\"\") after a pick in %q = %q", sub, got)
	}
	remember("")
}
