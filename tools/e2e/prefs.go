//go:build linux

package main

import (
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/ui"
)

// setPrefs changes the window's saved settings in a data dir, as its
// Settings dialog would, while no window holds the queue: the next
// window starts with them.
func setPrefs(data string, change func(*ui.Prefs)) {
	eng, err := engine.Open(engine.Options{DataDir: data})
	if err != nil {
		fatalf("cannot open the queue in %s to change the window's settings (is a window still running?): %v", data, err)
	}
	p, _ := ui.LoadPrefs(eng)
	change(&p)
	err = ui.SavePrefs(eng, p)
	if cerr := eng.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fatalf("cannot save the window's settings in %s: %v", data, err)
	}
}
