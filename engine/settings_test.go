package engine

import (
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

func TestSettingsSurviveRestart(t *testing.T) {
	dir := wine.TempDir(t)
	e, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Setting("ui"); ok {
		t.Fatal("a setting before any was saved")
	}
	if err := e.SaveSetting("ui", []byte(`{"tray":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.SaveSetting(settingDefault, []byte("x")); err == nil {
		t.Fatal("a front-end overwrote the default destination")
	}
	e.Close()
	e, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if v, ok := e.Setting("ui"); !ok || string(v) != `{"tray":true}` {
		t.Fatalf("Setting(ui) = %q %v after a restart", v, ok)
	}
}

func TestLimitsReadBack(t *testing.T) {
	e := newEngine(t)
	if err := e.SetConcurrency(5); err != nil {
		t.Fatal(err)
	}
	e.SetRateLimit(2 << 20)
	if n, r := e.Limits(); n != 5 || r != 2<<20 {
		t.Fatalf("Limits() = %d, %d; want 5, %d", n, r, 2<<20)
	}
	e.SetRateLimit(0)
	if _, r := e.Limits(); r != 0 {
		t.Fatalf("rate %d after lifting the limit", r)
	}
}
