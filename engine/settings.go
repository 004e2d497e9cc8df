package engine

import (
	"fmt"
	"strings"

	"github.com/ferry-app/ferry/engine/store"
)

// Front-ends keep their own preferences (the window's close-to-tray, its
// notifications) beside the queue, so one backup holds everything. Names
// are the front-end's; the engine's own settings use a reserved prefix.
const settingPrefixReserved = "engine."

// Setting returns a front-end setting saved with SaveSetting.
func (e *Engine) Setting(name string) ([]byte, bool) {
	v := e.store.Get(store.Settings, name)
	return v, v != nil
}

// SaveSetting keeps a front-end setting; it is on disk when this returns.
func (e *Engine) SaveSetting(name string, value []byte) error {
	if name == "" || name == settingDefault || strings.HasPrefix(name, settingPrefixReserved) {
		return fmt.Errorf("the setting name %q is taken by the engine", name)
	}
	if err := e.keepSetting(name, value); err != nil {
		return storeError("the setting was not saved. Free disk space or check the disk, then do it again.", err)
	}
	return nil
}

// keepSetting puts a setting, the engine's own too, on disk before it
// returns.
func (e *Engine) keepSetting(name string, value []byte) error {
	b := store.Batch{}
	b.Put(store.Settings, name, value)
	e.mu.Lock()
	g := e.write(b)
	e.mu.Unlock()
	return e.durable(g)
}
