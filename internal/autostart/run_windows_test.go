package autostart

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// The Run key names the program, its arguments quoted as Windows splits
// them again; Task Manager's switch-off is honoured, and cleared by a new
// Set; off removes the value.
func TestRunKeyStartsFerryAtLogin(t *testing.T) {
	e := Entry{ID: "app.ferry.Ferry", Name: fmt.Sprintf("Ferry test %d", os.Getpid()),
		Exec: `C:\Program Files\Ferry & Co\ferry.exe`, Args: []string{"--hidden", `a "b" c`}}
	t.Cleanup(func() { e.Set(false) })
	if e.Enabled() {
		t.Fatal("enabled before Set")
	}
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	if !e.Enabled() {
		t.Fatal("not enabled after Set(true)")
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := k.GetStringValue(e.Name)
	k.Close()
	if err != nil {
		t.Fatal(err)
	}
	argv, err := windows.DecomposeCommandLine(v)
	if want := append([]string{e.Exec}, e.Args...); err != nil || !slices.Equal(argv, want) {
		t.Fatalf("the Run key says %s, which Windows splits into %q (%v); want %q", v, argv, err, want)
	}

	// Switched off in Task Manager.
	a, _, err := registry.CreateKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	a.SetBinaryValue(e.Name, []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	a.Close()
	if e.Enabled() {
		t.Fatal("enabled though Task Manager switched it off")
	}
	if err := e.Set(true); err != nil || !e.Enabled() {
		t.Fatalf("Set(true) after a switch-off: %v, enabled %v", err, e.Enabled())
	}

	if err := e.Set(false); err != nil || e.Enabled() {
		t.Fatalf("Set(false): %v, enabled %v", err, e.Enabled())
	}
	if err := e.Set(false); err != nil {
		t.Fatalf("Set(false) twice: %v", err)
	}
	if err := (Entry{Name: "Ferry", Exec: "ferry.exe"}).Set(true); err == nil {
		t.Fatal("a relative program path was taken")
	}
}
