//go:build linux || freebsd || openbsd || netbsd || dragonfly

package filepick

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

// fakeTool puts a shell script named name on a PATH of its own (nothing
// else on it: no real dialog can open) and returns the file its
// arguments are written to, one a line. body runs after that.
func fakeTool(t *testing.T, name, body string) (argsFile string) {
	t.Helper()
	bin := wine.TempDir(t)
	argsFile = filepath.Join(wine.TempDir(t), "args")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + argsFile + "'\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	return argsFile
}

func readArgs(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the fake was not run: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// videos makes two files, one with spaces and a plus in its name.
func videos(t *testing.T) (dir, a, b string) {
	dir = wine.TempDir(t)
	a, b = filepath.Join(dir, "a.mp4"), filepath.Join(dir, "b c+1.mov")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, a, b
}

func TestFilesZenity(t *testing.T) {
	dir, a, b := videos(t)
	// Real zenity prints the chosen files joined by --separator, then a
	// newline.
	args := fakeTool(t, "zenity", `sep='|'
while [ $# -gt 0 ]; do
	if [ "$1" = --separator ]; then sep=$2; fi
	shift
done
printf '%s%s%s\n' '`+a+`' "$sep" '`+b+`'`)
	got, err := Files(context.Background(), "Add files", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{a, b}) {
		t.Errorf("Files = %q, want %q", got, []string{a, b})
	}
	called := readArgs(t, args)
	for _, want := range []string{"--file-selection", "--multiple", "--title", "Add files", dir + "/"} {
		if !slices.Contains(called, want) {
			t.Errorf("zenity was called with %q, without %q", called, want)
		}
	}
	// The next pick with no start folder opens where this one was.
	if got := startFrom(""); got != dir {
		t.Errorf("the last folder is %q, want %q", got, dir)
	}
}

func TestFolderZenity(t *testing.T) {
	dir, _, _ := videos(t)
	args := fakeTool(t, "zenity", `printf '%s\n' '`+dir+`'`)
	got, err := Folder(context.Background(), "Add folder", "")
	if err != nil || got != dir {
		t.Fatalf("Folder = %q, %v; want %q", got, err, dir)
	}
	if called := readArgs(t, args); !slices.Contains(called, "--directory") {
		t.Errorf("zenity was called with %q, without --directory", called)
	}
}

func TestZenityCancelled(t *testing.T) {
	fakeTool(t, "zenity", "exit 1")
	if _, err := Files(context.Background(), "Add files", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("Files: %v, want ErrCancelled", err)
	}
	if _, err := Folder(context.Background(), "Add folder", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("Folder: %v, want ErrCancelled", err)
	}
}

func TestZenityFails(t *testing.T) {
	fakeTool(t, "zenity", "echo 'cannot open display' >&2; exit 255")
	_, err := Files(context.Background(), "Add files", "")
	if err == nil || errors.Is(err, ErrCancelled) || errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "cannot open display") {
		t.Errorf("Files: %v, want zenity's own error", err)
	}
}

func TestContextClosesDialog(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep here")
	}
	fakeTool(t, "zenity", "exec "+sleep+" 30")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Files(ctx, "Add files", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Files: %v, want the context's error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Files took %v after its context ended", d)
	}
	if _, err := Files(ctx, "Add files", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Files with an ended context: %v", err)
	}
}

func TestKdialog(t *testing.T) {
	dir, a, b := videos(t)
	// kdialog --separate-output prints one file a line.
	args := fakeTool(t, "kdialog", `printf '%s\n%s\n' '`+a+`' '`+b+`'`)
	got, err := Files(context.Background(), "Add files", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{a, b}) {
		t.Errorf("Files = %q, want %q", got, []string{a, b})
	}
	called := readArgs(t, args)
	if want := []string{"--title", "Add files", "--getopenfilename", dir, "--multiple", "--separate-output"}; !slices.Equal(called, want) {
		t.Errorf("kdialog was called with %q, want %q", called, want)
	}

	args = fakeTool(t, "kdialog", `printf '%s\n' '`+dir+`'`)
	if got, err := Folder(context.Background(), "Add folder", dir); err != nil || got != dir {
		t.Errorf("Folder = %q, %v; want %q", got, err, dir)
	}
	if called := readArgs(t, args); !slices.Contains(called, "--getexistingdirectory") {
		t.Errorf("kdialog was called with %q", called)
	}

	fakeTool(t, "kdialog", "exit 1")
	if _, err := Files(context.Background(), "Add files", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled kdialog: %v, want ErrCancelled", err)
	}
}

// zenity comes before kdialog, as ncruces/zenity runs it.
func TestZenityBeforeKdialog(t *testing.T) {
	dir, a, _ := videos(t)
	fakeTool(t, "zenity", `printf '%s\n' '`+a+`'`)
	bin := os.Getenv("PATH")
	if err := os.WriteFile(filepath.Join(bin, "kdialog"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Files(context.Background(), "Add files", dir); err != nil || !slices.Equal(got, []string{a}) {
		t.Errorf("Files = %q, %v", got, err)
	}
}

func TestUnavailable(t *testing.T) {
	t.Setenv("PATH", wine.TempDir(t))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	start := time.Now()
	if _, err := Files(context.Background(), "Add files", ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Files: %v, want ErrUnavailable", err)
	}
	if _, err := Folder(context.Background(), "Add folder", ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Folder: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("saying there is no dialog took %v", d)
	}
}

func TestSessionBusAddress(t *testing.T) {
	rt := wine.TempDir(t)
	t.Setenv("XDG_RUNTIME_DIR", rt)
	for _, c := range []struct{ env, want string }{
		{"disabled:", ""},
		{"unix:path=/run/user/1/bus", "unix:path=/run/user/1/bus"},
		{"", ""},            // no socket in XDG_RUNTIME_DIR: none, and none started
		{"autolaunch:", ""}, // likewise
	} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", c.env)
		if got := sessionBusAddress(); got != c.want {
			t.Errorf("DBUS_SESSION_BUS_ADDRESS=%q: %q, want %q", c.env, got, c.want)
		}
	}
}

func TestURIPath(t *testing.T) {
	for _, c := range []struct{ uri, want string }{
		{"file:///home/me/a%20b.mp4", "/home/me/a b.mp4"},
		{"file:///home/me/a+b.mp4", "/home/me/a+b.mp4"}, // not a query: + stays
		{"file://localhost/tmp/x%25.mov", "/tmp/x%.mov"},
		{"file:///tmp/%C3%A9t%C3%A9.mkv", "/tmp/été.mkv"},
	} {
		if got, err := uriPath(c.uri); err != nil || got != c.want {
			t.Errorf("uriPath(%q) = %q, %v; want %q", c.uri, got, err, c.want)
		}
	}
	for _, bad := range []string{"https://example.com/a.mp4", "file://otherhost/a.mp4", "%zz"} {
		if _, err := uriPath(bad); err == nil {
			t.Errorf("uriPath(%q): no error", bad)
		}
	}
}
