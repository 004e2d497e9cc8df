package ui

import (
	"encoding/json"

	"github.com/ferry-app/ferry/engine"
)

// prefsKey is the window's entry in the engine's settings bucket.
const prefsKey = "window"

// Prefs are the window's settings, saved in the queue database and
// applied live.
type Prefs struct {
	Concurrency    int   `json:"concurrency"`
	RateLimit      int64 `json:"rate_limit"` // bytes/s for all uploads; 0 = none
	SlowMode       bool  `json:"slow_mode"`  // the turtle: SlowRate instead of RateLimit
	SlowRate       int64 `json:"slow_rate"`  // bytes/s in slow mode
	CloseToTray    bool  `json:"close_to_tray"`
	StartMinimised bool  `json:"start_minimised"`
	StartAtLogin   bool  `json:"start_at_login"`
	Notifications  bool  `json:"notifications"`
	KeepAwake      bool  `json:"keep_awake"`

	CompactRows bool     `json:"compact_rows"` // one line a job
	Theme       string   `json:"theme"`        // "system", "light" or "dark"
	Sort        sortBy   `json:"sort"`         // the list's order
	LastDir     string   `json:"last_dir"`     // where files were last picked
	Dismissed   []string `json:"dismissed"`    // service notes not to say again
}

// DefaultPrefs are a first start's.
func DefaultPrefs() Prefs {
	return Prefs{
		Concurrency:   3,
		SlowRate:      500_000,
		CloseToTray:   true,
		Notifications: true,
		KeepAwake:     true,
		Theme:         "system",
	}
}

// Rate is the upload limit in force: the slow rate while slow mode is on.
func (p Prefs) Rate() int64 {
	if p.SlowMode {
		return p.SlowRate
	}
	return p.RateLimit
}

// LoadPrefs reads the saved settings over the defaults; settings a newer
// or older Ferry wrote keep their defaults where they are missing. A
// record that cannot be read gives the defaults and an error to say.
func LoadPrefs(eng *engine.Engine) (Prefs, error) {
	p := DefaultPrefs()
	var err error
	if b, ok := eng.Setting(prefsKey); ok {
		if jerr := json.Unmarshal(b, &p); jerr != nil {
			p, err = DefaultPrefs(), &prefsError{jerr}
		}
	}
	if p.Concurrency < 1 {
		p.Concurrency = 1
	}
	if p.Sort < 0 || p.Sort >= numSorts {
		p.Sort = sortAdded
	}
	if p.SlowRate <= 0 {
		p.SlowRate = DefaultPrefs().SlowRate
	}
	return p, err
}

// prefsError: the saved window settings could not be read.
type prefsError struct{ cause error }

func (e *prefsError) Error() string {
	return "Ferry could not read its saved window settings, so they are back to their defaults; changing one saves them anew."
}

func (e *prefsError) Unwrap() error { return e.cause }

// SavePrefs keeps p; it is on disk when this returns.
func SavePrefs(eng *engine.Engine, p Prefs) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return eng.SaveSetting(prefsKey, b)
}
