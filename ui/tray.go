package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/ferry-app/ferry/assets"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// trayState is what the tray icon shows.
type trayState int

const (
	trayIdle trayState = iota
	trayUploading
	trayPaused
	trayAttention
)

var trayIcons = [...]fyne.Resource{
	trayIdle:      fyne.NewStaticResource("tray-idle.png", assets.TrayIdle),
	trayUploading: fyne.NewStaticResource("tray-uploading.png", assets.TrayUploading),
	trayPaused:    fyne.NewStaticResource("tray-paused.png", assets.TrayPaused),
	trayAttention: fyne.NewStaticResource("tray-attention.png", assets.TrayAttention),
}

// AppIcon is Ferry's icon, for the app and its windows.
func AppIcon() fyne.Resource { return fyne.NewStaticResource("ferry.png", assets.Icon) }

// tray is the icon and menu that keep Ferry reachable with the window
// closed. Its menu is rebuilt only when its text or icon would change.
type tray struct {
	w      *Window
	desk   desktop.App // nil: this driver has no tray
	menu   *fyne.Menu
	status *fyne.MenuItem
	state  trayState
	text   string
	textAt time.Time // when the menu's line last changed
	want   string    // a line not shown yet (throttled)
}

// trayTextEvery: the menu's line (its percentage moves all the time)
// changes at most this often; each change is a D-Bus signal to the panel.
const trayTextEvery = 2 * time.Second

func newTray(w *Window) *tray {
	t := &tray{w: w, state: -1}
	desk, ok := w.app.(desktop.App)
	if !ok {
		return t
	}
	t.desk = desk
	t.status = fyne.NewMenuItem("Idle", nil)
	t.status.Disabled = true
	t.menu = fyne.NewMenu("Ferry",
		fyne.NewMenuItem("Show Ferry", w.Show),
		t.status,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Pause all", w.pauseAll),
		fyne.NewMenuItem("Resume all", w.resumeAll),
	)
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayIcon(trayIcons[trayIdle])
	return t
}

// available says whether closing the window can leave Ferry in a tray.
func (t *tray) available() bool {
	if t.desk == nil {
		return false
	}
	if t.w.opts.TrayHost != nil {
		return t.w.opts.TrayHost()
	}
	return true
}

func (t *tray) update(tot engine.Totals, halted *fault.Error, done float64) {
	if t.desk == nil {
		return
	}
	state := trayIdle
	switch {
	case halted != nil || tot.Count(engine.Failed) > 0:
		state = trayAttention
	case tot.Count(engine.Uploading)+tot.Count(engine.Waiting)+tot.Count(engine.Queued) > 0:
		state = trayUploading
	case tot.Count(engine.Paused) > 0:
		state = trayPaused
	}
	iconMoved := state != t.state
	if iconMoved {
		t.state = state
		t.desk.SetSystemTrayIcon(trayIcons[state])
	}
	t.want = trayLine(tot, halted, done)
	if t.want != t.text && (iconMoved || time.Since(t.textAt) >= trayTextEvery) {
		t.text, t.textAt = t.want, time.Now()
		t.status.Label = t.text
		t.menu.Refresh()
	}
}

// behind: the menu's line waits for its turn (the frame loop comes back).
func (t *tray) behind() bool { return t.desk != nil && t.want != t.text }

// trayLine is the menu's summary: "3 uploading — 42 %", where the
// percentage is of the files left.
func trayLine(t engine.Totals, halted *fault.Error, done float64) string {
	switch {
	case halted != nil:
		return "Stopped: the queue cannot be saved"
	case t.FilesLeft == 0 && t.Count(engine.Failed) > 0:
		return plural(t.Count(engine.Failed), "upload") + " failed"
	case t.FilesLeft == 0:
		return "Idle"
	}
	return fmt.Sprintf("%s — %s", summary(t), percent(done))
}
