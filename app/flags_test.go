package app

import "testing"

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
	t.Setenv("FERRY_DATA_DIR", "/tmp/from-env")
	var c common
	if d, _ := c.resolveDataDir(); d != "/tmp/from-env" {
		t.Errorf("env: %s", d)
	}
	c.dataDir = "/tmp/from-flag"
	if d, _ := c.resolveDataDir(); d != "/tmp/from-flag" {
		t.Errorf("flag: %s", d)
	}
	t.Setenv("FERRY_DATA_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	c.dataDir = ""
	if d, _ := c.resolveDataDir(); d != "/tmp/cfg/ferry" {
		t.Errorf("default: %s", d)
	}
}
