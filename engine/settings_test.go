package engine

import "testing"

func TestSettingsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
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
