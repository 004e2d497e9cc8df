//go:build !nogui

package app

import "github.com/godbus/dbus/v5"

// trayHost says whether a panel shows tray icons: on Linux, Fyne's tray
// is a StatusNotifierItem, seen only where a StatusNotifierWatcher runs on
// the session bus. Without one, closing the window must not hide Ferry
// out of reach.
func trayHost() bool {
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false
	}
	if err := conn.Hello(); err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
