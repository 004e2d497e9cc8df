//go:build linux

package main

// The tray, read and clicked as a desktop panel does: a Go port of the
// team's shared/tools/tray-menu (Python). fyne.io/systray speaks
// StatusNotifierItem + com.canonical.dbusmenu on the session bus; the
// items are listed by the StatusNotifierWatcher (status-notifier-watcher
// here, a panel on a desktop).

import (
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	dbusmenuIfce = "com.canonical.dbusmenu"
)

type trayItem struct{ svc, path string }

type menuEntry struct {
	id      int32
	label   string
	enabled bool
}

// trayItems lists the items the watcher knows, as "service/path" pairs.
func trayItems(conn *dbus.Conn) ([]trayItem, error) {
	v, err := conn.Object(watcherName, watcherPath).GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, fmt.Errorf("asking the StatusNotifierWatcher for its items: %w", err)
	}
	names, _ := v.Value().([]string)
	var out []trayItem
	for _, n := range names {
		svc, path, found := strings.Cut(n, "/")
		if found {
			path = "/" + path
		} else {
			path = "/StatusNotifierItem"
		}
		out = append(out, trayItem{svc, path})
	}
	return out, nil
}

// dmLayout is a dbusmenu node: (ia{sv}av).
type dmLayout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// trayMenu reads an item's menu: every visible entry with a label.
func trayMenu(conn *dbus.Conn, it trayItem) (dbus.BusObject, []menuEntry, error) {
	v, err := conn.Object(it.svc, dbus.ObjectPath(it.path)).GetProperty(itemIface + ".Menu")
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Menu of tray item %s%s: %w", it.svc, it.path, err)
	}
	mpath, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		return nil, nil, fmt.Errorf("tray item %s%s: Menu is %T, not an object path", it.svc, it.path, v.Value())
	}
	m := conn.Object(it.svc, mpath)
	var rev uint32
	var root dmLayout
	if err := m.Call(dbusmenuIfce+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, nil, fmt.Errorf("GetLayout of %s%s: %w", it.svc, mpath, err)
	}
	var out []menuEntry
	var walk func(n dmLayout) error
	walk = func(n dmLayout) error {
		label, hasLabel := n.Props["label"].Value().(string)
		visible := true
		if v, ok := n.Props["visible"]; ok {
			visible, _ = v.Value().(bool)
		}
		enabled := true
		if v, ok := n.Props["enabled"]; ok {
			enabled, _ = v.Value().(bool)
		}
		if hasLabel && visible {
			out = append(out, menuEntry{id: n.ID, label: label, enabled: enabled})
		}
		for _, c := range n.Children {
			var sub dmLayout
			if err := dbus.Store([]any{c.Value()}, &sub); err != nil {
				return fmt.Errorf("reading a menu node: %w", err)
			}
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, nil, err
	}
	return m, out, nil
}

// trayClick clicks the first entry labelled label, as a panel does.
func trayClick(conn *dbus.Conn, label string) error {
	items, err := trayItems(conn)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no tray item is registered")
	}
	for _, it := range items {
		m, entries, err := trayMenu(conn, it)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.label == label {
				if !e.enabled {
					return fmt.Errorf("the tray item %q is disabled", label)
				}
				return m.Call(dbusmenuIfce+".Event", 0, e.id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
			}
		}
	}
	return fmt.Errorf("no tray menu item is labelled %q", label)
}

// trayLabels is every tray item's menu, labels only ("(disabled)" marked).
func trayLabels(conn *dbus.Conn) ([]string, error) {
	items, err := trayItems(conn)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		_, entries, err := trayMenu(conn, it)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.enabled {
				out = append(out, e.label)
			} else {
				out = append(out, e.label+" (disabled)")
			}
		}
	}
	return out, nil
}

// trayIcon says the first item's Status and the sizes of its pixmaps.
func trayIcon(conn *dbus.Conn) (string, error) {
	items, err := trayItems(conn)
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", fmt.Errorf("no tray item is registered")
	}
	obj := conn.Object(items[0].svc, dbus.ObjectPath(items[0].path))
	var status string
	if v, err := obj.GetProperty(itemIface + ".Status"); err == nil {
		status, _ = v.Value().(string)
	}
	var sizes []string
	if v, err := obj.GetProperty(itemIface + ".IconPixmap"); err == nil {
		var pix []struct {
			W, H int32
			Data []byte
		}
		if dbus.Store([]any{v.Value()}, &pix) == nil {
			for _, p := range pix {
				sizes = append(sizes, fmt.Sprintf("%dx%d", p.W, p.H))
			}
		}
	}
	return fmt.Sprintf("status=%s pixmaps=%s", status, strings.Join(sizes, ",")), nil
}

// trayCommand is `go run ./tools/e2e tray list|click LABEL|icon`, on the
// session bus of DBUS_SESSION_BUS_ADDRESS: tray-menu, for poking by hand.
func trayCommand(args []string) int {
	usage := "usage: e2e tray list | click LABEL | icon   (on $DBUS_SESSION_BUS_ADDRESS)"
	if len(args) == 0 {
		fmt.Println(usage)
		return 2
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		fmt.Println("e2e tray:", err)
		return 1
	}
	defer conn.Close()
	switch {
	case args[0] == "list":
		labels, err := trayLabels(conn)
		if err != nil {
			fmt.Println("e2e tray:", err)
			return 1
		}
		if len(labels) == 0 {
			fmt.Println("no tray item registered")
			return 1
		}
		fmt.Println(strings.Join(labels, "\n"))
	case args[0] == "click" && len(args) == 2:
		if err := trayClick(conn, args[1]); err != nil {
			fmt.Println("e2e tray:", err)
			return 1
		}
	case args[0] == "icon":
		s, err := trayIcon(conn)
		if err != nil {
			fmt.Println("e2e tray:", err)
			return 1
		}
		fmt.Println(s)
	default:
		fmt.Println(usage)
		return 2
	}
	return 0
}
