//go:build linux || freebsd || openbsd || netbsd || dragonfly

package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

func entry(exec string, args ...string) Entry {
	return Entry{ID: "app.ferry.Ferry", Name: "Ferry", Comment: "Uploads go on after login", Exec: exec, Args: args}
}

// readExec returns the Exec argv of a desktop file, read the way the
// spec says: string escapes first, then the quoting, then %%.
func readExec(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var value string
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "Exec="); ok {
			value = v
		}
	}
	if value == "" {
		t.Fatalf("no Exec line in\n%s", data)
	}
	value = strings.NewReplacer(`\\`, `\`, `\s`, " ", `\n`, "\n", `\t`, "\t", `\r`, "\r").Replace(value)
	var argv []string
	var arg strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case quoted && c == '\\' && i+1 < len(value) && strings.IndexByte("\"`$\\", value[i+1]) >= 0:
			i++
			arg.WriteByte(value[i])
		case quoted && c == '"':
			quoted = false
		case quoted && strings.IndexByte("`$\\", c) >= 0:
			t.Fatalf("unescaped %q inside quotes in Exec=%s", c, value)
		case quoted:
			arg.WriteByte(c)
		case c == ' ':
			if inArg {
				argv = append(argv, arg.String())
				arg.Reset()
				inArg = false
			}
		case c == '"':
			quoted, inArg = true, true
		case strings.IndexByte(" \t\n\"'\\><~|&;$*?#()`", c) >= 0:
			t.Fatalf("unquoted reserved character %q in Exec=%s", c, value)
		default:
			arg.WriteByte(c)
			inArg = true
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in Exec=%s", value)
	}
	if inArg {
		argv = append(argv, arg.String())
	}
	for i := range argv {
		argv[i] = strings.ReplaceAll(argv[i], "%%", "%")
	}
	return argv
}

func TestSetWritesAndRemovesEntry(t *testing.T) {
	cfg := wine.TempDir(t)
	t.Setenv("XDG_CONFIG_HOME", cfg)
	e := entry("/usr/bin/ferry", "--hidden")
	if !Supported() {
		t.Fatal("Supported() = false on an XDG system")
	}
	if e.Enabled() {
		t.Fatal("Enabled() before Set")
	}
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg, "autostart", "app.ferry.Ferry.desktop")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "[Desktop Entry]\nType=Application\nName=Ferry\nComment=Uploads go on after login\n" +
		"Exec=/usr/bin/ferry --hidden\nIcon=app.ferry.Ferry\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
	if string(data) != want {
		t.Fatalf("file:\n%s\nwant:\n%s", data, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Fatalf("file mode %v, want 0644", fi.Mode().Perm())
	}
	if names, _ := os.ReadDir(filepath.Dir(path)); len(names) != 1 {
		t.Fatalf("autostart dir holds %v, want only the entry", names)
	}
	if !e.Enabled() {
		t.Fatal("Enabled() = false after Set(true)")
	}
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	if err := e.Set(false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("Set(false) left the file: %v", err)
	}
	if e.Enabled() {
		t.Fatal("Enabled() after Set(false)")
	}
	if err := e.Set(false); err != nil {
		t.Fatalf("Set(false) without a file: %v", err)
	}
}

func TestEnabledHonoursHiddenAndGNOMESwitch(t *testing.T) {
	cfg := wine.TempDir(t)
	t.Setenv("XDG_CONFIG_HOME", cfg)
	e := entry("/usr/bin/ferry")
	path := filepath.Join(cfg, "autostart", "app.ferry.Ferry.desktop")
	os.MkdirAll(filepath.Dir(path), 0o755)
	for _, off := range []string{"Hidden=true", "X-GNOME-Autostart-enabled=false", "Hidden = true"} {
		os.WriteFile(path, []byte("[Desktop Entry]\nType=Application\nExec=/usr/bin/ferry\n"+off+"\n"), 0o644)
		if e.Enabled() {
			t.Fatalf("Enabled() with %s", off)
		}
	}
	// The key counts only in the Desktop Entry group.
	os.WriteFile(path, []byte("[Desktop Entry]\nExec=/usr/bin/ferry\n[Desktop Action x]\nHidden=true\n"), 0o644)
	if !e.Enabled() {
		t.Fatal("Hidden in another group switched the entry off")
	}
	// Set(true) over a hidden entry switches it on.
	os.WriteFile(path, []byte("[Desktop Entry]\nHidden=true\n"), 0o644)
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	if !e.Enabled() {
		t.Fatal("Set(true) left a hidden entry off")
	}
}

func TestExecQuotingRoundTrips(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", wine.TempDir(t))
	for _, argv := range [][]string{
		{"/opt/My Apps/ferry", "--hidden"},
		{`/home/o'neil/"quoted"/ferry`},
		{`/srv/back\slash/$HOME/ferry`, "a`b`", ""},
		{"/tmp/100%/ferry", "50%", "tab\there", "new\nline", " lead"},
	} {
		e := entry(argv[0], argv[1:]...)
		if err := e.Set(true); err != nil {
			t.Fatal(err)
		}
		path, _ := e.path()
		got := readExec(t, path)
		if strings.Contains(argv[0], "%") {
			if got[0] != "/usr/bin/env" {
				t.Fatalf("a program path with %% is not run through env: %q", got)
			}
			got = got[1:]
		}
		if !slices.Equal(got, argv) {
			t.Fatalf("Exec read back as %q, want %q", got, argv)
		}
	}
}

// GLib (GNOME, and gio launch) reads the file as a desktop would at login.
func TestGLibLaunchesEntry(t *testing.T) {
	gio, err := exec.LookPath("gio")
	if err != nil {
		t.Skip("gio is not installed; the spec reading above still checks the quoting")
	}
	t.Setenv("XDG_CONFIG_HOME", wine.TempDir(t))
	dir := filepath.Join(wine.TempDir(t), "My \"Apps\" $HOME `x` back\\slash 100%")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "ferry")
	script := "#!/bin/sh\nfor a in \"$0\" \"$@\"; do printf '%s\\0' \"$a\"; done > \"$OUT.tmp\" && mv \"$OUT.tmp\" \"$OUT\"\n"
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"--hidden", "two words", `"q" $x \y 5%`}
	e := entry(prog, args...)
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	path, _ := e.path()
	out := filepath.Join(wine.TempDir(t), "argv")
	cmd := exec.Command(gio, "launch", path)
	cmd.Env = append(os.Environ(), "OUT="+out, "DBUS_SESSION_BUS_ADDRESS=disabled:")
	if b, err := cmd.CombinedOutput(); err != nil {
		data, _ := os.ReadFile(path)
		t.Fatalf("gio launch: %v %s\n%s", err, b, data)
	}
	deadline := time.Now().Add(5 * time.Second)
	var data []byte
	for ; time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if data, err = os.ReadFile(out); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal("the launched program wrote nothing")
	}
	got := strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	if want := append([]string{prog}, args...); !slices.Equal(got, want) {
		t.Fatalf("GLib ran %q, want %q", got, want)
	}
}

func TestSetRefusesBadEntries(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", wine.TempDir(t))
	if err := entry("ferry").Set(true); err == nil || !strings.Contains(err.Error(), "full path") {
		t.Fatalf("a relative Exec: %v", err)
	}
	bad := entry("/usr/bin/ferry")
	bad.ID = "../evil"
	if err := bad.Set(true); err == nil {
		t.Fatal("an id with a slash was accepted")
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/dir")
	if err := entry("/usr/bin/ferry").Set(true); err == nil || !strings.HasPrefix(err.Error(), "Cannot find the folder") {
		t.Fatalf("a relative XDG_CONFIG_HOME: %v", err)
	}
}
