//go:build linux || freebsd || openbsd || netbsd || dragonfly

package filepick

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// The XDG desktop portal's FileChooser, spoken over D-Bus with godbus:
// https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.FileChooser.html
//
// Not rymdport/portal's filechooser (v0.4.2, the version Fyne brings):
// it takes the first signal of any kind on the shared session connection
// as the answer (Fyne's own portal settings signals arrive there too),
// never unregisters its channel, cannot be cancelled, and unescapes the
// answer as a query string, so "a+b.mp4" comes back as "a b.mp4".

const (
	portalName   = "org.freedesktop.portal.Desktop"
	portalPath   = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	chooserIface = "org.freedesktop.portal.FileChooser"
	requestIface = "org.freedesktop.portal.Request"
)

// How long the portal may take to say it is there (it may be started
// by the bus for the question).
var (
	busTimeout    = 2 * time.Second
	portalTimeout = 5 * time.Second
)

// errNoPortal: no portal answered; the next dialog is tried.
var errNoPortal = errors.New("filepick: no desktop portal")

// portalOpen asks the portal for files (or one folder) and returns their
// paths; errNoPortal when there is no session bus, no portal on it, or
// a portal without a file chooser (or, for a folder, too old for one).
func portalOpen(ctx context.Context, title, dir string, directory bool) ([]string, error) {
	addr := sessionBusAddress()
	if addr == "" {
		return nil, errNoPortal
	}
	// Our own connection, not the one Fyne and the tray share: our
	// match rules and signals go away with it. Not closed by ctx either:
	// a cancel must still reach the portal.
	conn, err := dbus.Dial(addr)
	if err != nil {
		return nil, errNoPortal
	}
	defer conn.Close()
	stop := time.AfterFunc(busTimeout, func() { conn.Close() }) // a bus that does not answer
	err = conn.Auth(nil)
	if err == nil {
		err = conn.Hello()
	}
	if !stop.Stop() || err != nil {
		return nil, errNoPortal
	}
	version, err := chooserVersion(ctx, conn)
	if err != nil || version == 0 || (directory && version < 3) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errNoPortal
	}

	// Listen on the request's path before asking, so the answer cannot
	// come first; the path is the sender's name and our token.
	names := conn.Names()
	if len(names) == 0 {
		return nil, errNoPortal
	}
	token := "ferry" + rand.Text()
	sender := strings.ReplaceAll(strings.TrimPrefix(names[0], ":"), ".", "_")
	handle := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + sender + "/" + token)
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	if err := listen(conn, handle); err != nil {
		return nil, errNoPortal
	}

	opts := map[string]dbus.Variant{
		"handle_token": dbus.MakeVariant(token),
		"modal":        dbus.MakeVariant(true),
		"multiple":     dbus.MakeVariant(!directory),
		"directory":    dbus.MakeVariant(directory),
	}
	if dir != "" {
		opts["current_folder"] = dbus.MakeVariant(append([]byte(dir), 0))
	}
	var got dbus.ObjectPath
	err = conn.Object(portalName, portalPath).CallWithContext(ctx, chooserIface+".OpenFile", 0, "", title, opts).Store(&got)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, errNoPortal // nothing was shown: try the next dialog
	}
	if got != handle { // an old portal chooses its own path
		if err := listen(conn, got); err != nil {
			return nil, fmt.Errorf("filepick: portal: %w", err)
		}
	}

	for {
		select {
		case <-ctx.Done():
			// Close the dialog.
			closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			conn.Object(portalName, got).CallWithContext(closeCtx, requestIface+".Close", 0)
			cancel()
			return nil, ctx.Err()
		case s, ok := <-signals:
			if !ok {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, errors.New("filepick: the session bus went away")
			}
			if s.Name != requestIface+".Response" || s.Path != got {
				continue
			}
			return portalAnswer(s.Body)
		}
	}
}

func listen(conn *dbus.Conn, path dbus.ObjectPath) error {
	return conn.AddMatchSignal(dbus.WithMatchObjectPath(path),
		dbus.WithMatchInterface(requestIface), dbus.WithMatchMember("Response"))
}

// chooserVersion is the FileChooser interface's version, 0 with an error
// when the portal or the interface is not there. The name is looked up
// first so that a bus without a portal answers quickly.
func chooserVersion(ctx context.Context, conn *dbus.Conn) (uint32, error) {
	c, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	bus := conn.BusObject()
	var has bool
	if err := bus.CallWithContext(c, "org.freedesktop.DBus.NameHasOwner", 0, portalName).Store(&has); err != nil {
		return 0, err
	}
	if !has {
		var activatable []string
		if err := bus.CallWithContext(c, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
			return 0, err
		}
		if !slices.Contains(activatable, portalName) {
			return 0, errNoPortal
		}
	}
	c, cancel = context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	var v dbus.Variant
	err := conn.Object(portalName, portalPath).CallWithContext(c, "org.freedesktop.DBus.Properties.Get", 0, chooserIface, "version").Store(&v)
	if err != nil {
		return 0, err
	}
	version, _ := v.Value().(uint32)
	return version, nil
}

// portalAnswer reads a Response signal: (status uint32, results a{sv}).
func portalAnswer(body []any) ([]string, error) {
	if len(body) != 2 {
		return nil, fmt.Errorf("filepick: portal: unexpected answer %v", body)
	}
	status, _ := body[0].(uint32)
	results, _ := body[1].(map[string]dbus.Variant)
	switch status {
	case 0:
	case 1: // the user cancelled
		return nil, ErrCancelled
	default: // "ended in some other way": the dialog is gone, nothing chosen
		return nil, ErrCancelled
	}
	uris, _ := results["uris"].Value().([]string)
	if len(uris) == 0 {
		return nil, ErrCancelled
	}
	paths := make([]string, 0, len(uris))
	for _, u := range uris {
		p, err := uriPath(u)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// uriPath is the local path of a file:// URI.
func uriPath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
		return "", fmt.Errorf("filepick: the portal answered %q, not a local file", uri)
	}
	return filepath.FromSlash(u.Path), nil
}

// sessionBusAddress is the session bus's address, "" when there is none
// or it is disabled: never one started for us (godbus would run
// dbus-launch).
func sessionBusAddress() string {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	switch {
	case strings.HasPrefix(addr, "disabled:"):
		return ""
	case addr != "" && addr != "autolaunch:":
		return addr
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		bus := filepath.Join(rt, "bus")
		if fi, err := os.Stat(bus); err == nil && fi.Mode().Type() == os.ModeSocket {
			return "unix:path=" + bus
		}
	}
	return ""
}
