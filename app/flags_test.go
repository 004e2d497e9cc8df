package app

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

func TestSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{"50MiB": 50 << 20, "5MB": 5_000_000, "1048576": 1 << 20, "0": 0, "2MB/s": 2_000_000, "1.5GiB": 3 << 29} {
		var s sizeFlag
		if err := s.Set(in); err != nil || int64(s) != want {
			t.Errorf("%q → %d, %v; want %d", in, s, err, want)
		}
	}
	var s sizeFlag
	if err := s.Set("-5MB"); err == nil {
		t.Error("negative size accepted")
	}
}

func TestHeaderAndMetaFlags(t *testing.T) {
	var h headerFlag
	if err := h.Set("authorization:  Bearer x:y"); err != nil || h.header().Get("Authorization") != "Bearer x:y" {
		t.Fatalf("%v %v", h, err)
	}
	for _, bad := range []string{"nocolon", ": v", "two words: v"} {
		if err := h.Set(bad); err == nil {
			t.Errorf("header %q accepted", bad)
		}
	}
	var m metaFlag
	if err := m.Set("requiresignedurls"); err != nil || m["requiresignedurls"] != "" {
		t.Fatal("a key without a value is valid metadata")
	}
	if err := m.Set("a b=c"); err == nil {
		t.Error("key with a space accepted")
	}
}

func TestDataDirPrecedence(t *testing.T) {
	base := wine.TempDir(t)
	t.Setenv("FERRY_DATA_DIR", filepath.Join(base, "from-env"))
	var c common
	if d, _ := c.resolveDataDir(); d != filepath.Join(base, "from-env") {
		t.Errorf("env: %s", d)
	}
	c.dataDir = filepath.Join(base, "from-flag")
	if d, _ := c.resolveDataDir(); d != filepath.Join(base, "from-flag") {
		t.Errorf("flag: %s", d)
	}
	// The default: where each system keeps its programs' settings.
	t.Setenv("FERRY_DATA_DIR", "")
	c.dataDir = ""
	want := map[string]string{
		"windows": filepath.Join(base, "Ferry"),                                   // %APPDATA%\Ferry
		"darwin":  filepath.Join(base, "Library", "Application Support", "Ferry"), // $HOME/...
	}[runtime.GOOS]
	t.Setenv("APPDATA", base)
	t.Setenv("HOME", base)
	t.Setenv("XDG_CONFIG_HOME", base)
	if want == "" {
		want = filepath.Join(base, "ferry")
	}
	if d, _ := c.resolveDataDir(); d != want {
		t.Errorf("default: %s, want %s", d, want)
	}
}
