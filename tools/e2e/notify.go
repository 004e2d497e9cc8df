//go:build linux

package main

// A notification server on the private bus, standing in for the desktop's
// (org.freedesktop.Notifications, as GNOME Shell, KDE or dunst provide
// it): what Ferry says when a batch of uploads ends is recorded and
// checked.

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

type note struct{ app, summary, body string }

func (n note) String() string { return fmt.Sprintf("%q: %q", n.summary, n.body) }

type notifications struct {
	conn *dbus.Conn
	mu   sync.Mutex
	got  []note
	next uint32
}

// The D-Bus methods (Desktop Notifications Specification 1.2).

func (n *notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, note{app, summary, body})
	n.next++
	return n.next, nil
}

func (n *notifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body"}, nil
}

func (n *notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "ferry-e2e", "ferry", "1", "1.2", nil
}

func (n *notifications) CloseNotification(id uint32) *dbus.Error { return nil }

// startNotifications serves org.freedesktop.Notifications on the bus at addr.
func startNotifications(addr string) *notifications {
	conn, err := dbus.Connect(addr)
	if err != nil {
		fatalf("connecting the notification server to the bus: %v", err)
	}
	n := &notifications{conn: conn}
	const path, iface = "/org/freedesktop/Notifications", "org.freedesktop.Notifications"
	if err := conn.Export(n, path, iface); err != nil {
		fatalf("exporting the notification server: %v", err)
	}
	reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		fatalf("cannot own %s on the private bus (%v, reply %d)", iface, err, reply)
	}
	return n
}

func (n *notifications) close() { n.conn.Close() }

// all returns what was received so far.
func (n *notifications) all() []note {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]note(nil), n.got...)
}

// expect waits for the next notifications to be exactly want (summary and
// body), and no more for a moment after; it consumes them.
func (n *notifications) expect(what string, want ...note) {
	poll(what, 20*time.Second, func() (bool, string) {
		got := n.all()
		return len(got) >= len(want), fmt.Sprintf("notifications so far: %v", got)
	})
	time.Sleep(500 * time.Millisecond) // a duplicate comes at once, if at all
	n.mu.Lock()
	got := n.got
	n.got = nil
	n.mu.Unlock()
	var g, w []string
	for _, x := range got {
		g = append(g, x.summary+" / "+x.body)
	}
	for _, x := range want {
		w = append(w, x.summary+" / "+x.body)
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		fatalf("%s: the desktop got the notifications %q, want %q", what, g, w)
	}
}
