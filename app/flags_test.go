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
