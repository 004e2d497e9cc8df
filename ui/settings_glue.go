package ui

import (
	"fyne.io/fyne/v2/widget"
)

// openSettings shows the settings dialog; saving applies them live.
func (w *Window) openSettings() {
	note := ""
	if w.opts.Autostart == nil {
		note = "Starting at login is not supported on this system yet."
	}
	cur := w.prefs
	if w.opts.Autostart != nil {
		cur.StartAtLogin = w.opts.Autostart.Enabled()
	}
	save := func(p Prefs) error { return SavePrefs(w.eng, p) }
	showSettings(w.win, w.background, cur, note, w.notices.system(), save, func(p Prefs) error {
		w.opts.Concurrency, w.opts.RateLimit = 0, -1 // saved settings now rule
		return w.applyPrefs(p, false)
	})
}

// applyPrefs puts settings into effect. At start, the run's flags
// override the saved concurrency and limit.
func (w *Window) applyPrefs(p Prefs, starting bool) error {
	w.prefs = p
	n, rate := p.Concurrency, p.Rate()
	if w.opts.Concurrency > 0 {
		n = w.opts.Concurrency
	}
	if w.opts.RateLimit >= 0 && starting {
		rate = w.opts.RateLimit
	}
	if err := w.eng.SetConcurrency(n); err != nil {
		return err
	}
	w.eng.SetRateLimit(rate)
	w.showSlow()
	if w.themeSet != p.Theme || starting { // a new theme redraws every widget
		w.themeSet = p.Theme
		w.app.Settings().SetTheme(newTheme(p.Theme))
	}
	w.setCompact(p.CompactRows)
	if w.opts.Autostart != nil && !starting && p.StartAtLogin != w.opts.Autostart.Enabled() {
		if err := w.opts.Autostart.Set(p.StartAtLogin); err != nil {
			return err // a sentence that says what failed
		}
	}
	if !starting {
		w.totalsChanged() // keep awake may have changed
	}
	return nil
}

// toggleSlow is the turtle: one click between the full and the slow rate.
func (w *Window) toggleSlow() {
	p := w.prefs
	p.SlowMode = !p.SlowMode
	w.opts.RateLimit = -1
	w.applyPrefs(p, false) // in force at once; kept off the UI goroutine
	w.savePrefs()
}

func (w *Window) showSlow() {
	if w.prefs.SlowMode {
		w.slow.Importance, w.slowIcon.Importance = widget.HighImportance, widget.HighImportance
		w.slow.SetText("Slow mode: " + rate(float64(w.prefs.SlowRate)))
		w.slowIcon.SetText("Slow: on")
	} else {
		w.slow.Importance, w.slowIcon.Importance = widget.MediumImportance, widget.MediumImportance
		w.slow.SetText("Slow mode")
		w.slowIcon.SetText("Slow")
	}
	w.slow.Refresh()
	w.slowIcon.Refresh()
}
