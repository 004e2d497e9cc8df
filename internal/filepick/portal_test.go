//go:build linux || freebsd || openbsd || netbsd || dragonfly

package filepick

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/ferry-app/ferry/internal/dbustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// privateBus starts a dbus-daemon of our own (no services to activate,
// so no real portal) and points DBUS_SESSION_BUS_ADDRESS at it.
func privateBus(t *testing.T) string {
	t.Helper()
	addr := dbustest.PrivateBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("PATH", wine.TempDir(t)) // no zenity, no kdialog
	return addr
}

// fakePortal is a desktop portal with a FileChooser that answers each
// OpenFile with answer (nil: never) and remembers what it was asked.
type fakePortal struct {
	conn    *dbus.Conn
	version uint32
	answer  func(opts map[string]dbus.Variant) (status uint32, results map[string]dbus.Variant)

	mu     sync.Mutex
	title  string
	opts   map[string]dbus.Variant
	closed chan dbus.ObjectPath
}

func startPortal(t *testing.T, addr string, version uint32, answer func(map[string]dbus.Variant) (uint32, map[string]dbus.Variant)) *fakePortal {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &fakePortal{conn: conn, version: version, answer: answer, closed: make(chan dbus.ObjectPath, 1)}
	if version > 0 {
		if err := conn.Export(chooser{p}, portalPath, chooserIface); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Export(props{p}, portalPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	return p
}

type chooser struct{ p *fakePortal }

func (c chooser) OpenFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	p := c.p
	p.mu.Lock()
	p.title, p.opts = title, opts
	p.mu.Unlock()
	token, _ := opts["handle_token"].Value().(string)
	handle := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" +
		strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	p.conn.Export(request{p, handle}, handle, requestIface)
	if p.answer != nil {
		status, results := p.answer(opts)
		// Another request's answer first: it must not be taken for ours.
		p.conn.Emit(handle+"x", requestIface+".Response", uint32(0), map[string]dbus.Variant{"uris": dbus.MakeVariant([]string{"file:///wrong"})})
		p.conn.Emit(handle, requestIface+".Response", status, results)
	}
	return handle, nil
}

type request struct {
	p      *fakePortal
	handle dbus.ObjectPath
}

func (r request) Close() *dbus.Error {
	r.p.closed <- r.handle
	return nil
}

type props struct{ p *fakePortal }

func (pr props) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if iface != chooserIface || pr.p.version == 0 {
		return dbus.Variant{}, dbus.MakeFailedError(errors.New("no such interface"))
	}
	return dbus.MakeVariant(pr.p.version), nil
}

func uris(paths ...string) map[string]dbus.Variant {
	var u []string
	for _, p := range paths {
		u = append(u, "file://"+strings.ReplaceAll(p, " ", "%20"))
	}
	return map[string]dbus.Variant{"uris": dbus.MakeVariant(u)}
}

func TestPortalFiles(t *testing.T) {
	addr := privateBus(t)
	dir, a, b := videos(t)
	p := startPortal(t, addr, 4, func(map[string]dbus.Variant) (uint32, map[string]dbus.Variant) { return 0, uris(a, b) })
	got, err := Files(context.Background(), "Add files", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{a, b}) {
		t.Errorf("Files = %q, want %q", got, []string{a, b})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.title != "Add files" {
		t.Errorf("title %q", p.title)
	}
	if m, _ := p.opts["multiple"].Value().(bool); !m {
		t.Errorf("multiple not asked for: %v", p.opts)
	}
	if f, _ := p.opts["current_folder"].Value().([]byte); string(f) != dir+"\x00" {
		t.Errorf("current_folder %q, want %q", f, dir)
	}
}

func TestPortalFolder(t *testing.T) {
	addr := privateBus(t)
	dir, _, _ := videos(t)
	p := startPortal(t, addr, 4, func(map[string]dbus.Variant) (uint32, map[string]dbus.Variant) { return 0, uris(dir) })
	got, err := Folder(context.Background(), "Add folder", "")
	if err != nil || got != dir {
		t.Fatalf("Folder = %q, %v; want %q", got, err, dir)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, _ := p.opts["directory"].Value().(bool); !d {
		t.Errorf("directory not asked for: %v", p.opts)
	}
}

func TestPortalCancelled(t *testing.T) {
	addr := privateBus(t)
	startPortal(t, addr, 4, func(map[string]dbus.Variant) (uint32, map[string]dbus.Variant) { return 1, map[string]dbus.Variant{} })
	if _, err := Files(context.Background(), "Add files", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("Files: %v, want ErrCancelled", err)
	}
}

func TestPortalContextClosesDialog(t *testing.T) {
	addr := privateBus(t)
	p := startPortal(t, addr, 4, nil) // never answers
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Files(ctx, "Add files", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Files: %v, want the context's error", err)
	}
	select {
	case <-p.closed:
	case <-time.After(5 * time.Second):
		t.Error("the portal's dialog was not closed")
	}
}

// A bus without a portal, or with one that has no file chooser (or a
// folder chooser too old for folders): the next dialog is tried, at once.
func TestPortalMissingFallsThrough(t *testing.T) {
	for _, c := range []struct {
		what    string
		portal  bool
		version uint32 // 0: no FileChooser
	}{
		{"no portal", false, 0},
		{"a portal without a file chooser", true, 0},
		{"a file chooser too old for folders", true, 2},
	} {
		t.Run(c.what, func(t *testing.T) {
			addr := privateBus(t)
			if c.portal {
				startPortal(t, addr, c.version, nil)
			}
			start := time.Now()
			if _, err := Folder(context.Background(), "Add folder", ""); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Folder: %v, want ErrUnavailable", err)
			}
			if c.version == 0 {
				if _, err := Files(context.Background(), "Add files", ""); !errors.Is(err, ErrUnavailable) {
					t.Errorf("Files: %v, want ErrUnavailable", err)
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%v to find there is no dialog", d)
			}
			// With zenity there, zenity's dialog shows.
			dir := wine.TempDir(t)
			zenity := filepath.Join(os.Getenv("PATH"), "zenity")
			if err := os.WriteFile(zenity, []byte("#!/bin/sh\necho '"+dir+"'\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if got, err := Folder(context.Background(), "Add folder", ""); err != nil || got != dir {
				t.Errorf("Folder with zenity = %q, %v; want %q", got, err, dir)
			}
		})
	}
}
