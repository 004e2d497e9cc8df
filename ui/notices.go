package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// notices are sentences said once under the toolbar, each with a button
// that dismisses it: a crash report the last run left, a service this
// computer lacks (keychain, tray, keeping awake). A dismissed service
// note is not said again at the next start; Settings keeps them all.
type notices struct {
	w    *Window
	box  *fyne.Container
	said map[string]string // the system notes, by key, for Settings
}

// The keys of the service notes.
const (
	noteKeychain = "keychain"
	noteTray     = "tray"
	noteAwake    = "awake"
)

func newNotices(w *Window) *notices {
	return &notices{w: w, box: container.NewVBox(), said: map[string]string{}}
}

// add shows text; key, when not "", names a service note: remembered for
// Settings, and not shown when the user dismissed it before.
func (n *notices) add(key, text string) {
	if key != "" {
		if n.said[key] == text {
			return
		}
		n.said[key] = text
		if slices.Contains(n.w.prefs.Dismissed, key) {
			return
		}
	}
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	label.Importance = widget.WarningImportance
	var line *fyne.Container
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		n.box.Remove(line)
		if key != "" && !slices.Contains(n.w.prefs.Dismissed, key) {
			n.w.prefs.Dismissed = append(n.w.prefs.Dismissed, key)
			n.w.savePrefs()
		}
	})
	dismiss.Importance = widget.LowImportance
	line = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), dismiss, label)
	n.box.Add(line)
}

// system are the service notes said this run, for Settings.
func (n *notices) system() []string {
	var out []string
	for _, k := range []string{noteKeychain, noteTray, noteAwake} {
		if t := n.said[k]; t != "" {
			out = append(out, t)
		}
	}
	return out
}

// texts are the lines shown now, for tests.
func (n *notices) texts() []string {
	var out []string
	for _, o := range n.box.Objects {
		out = append(out, o.(*fyne.Container).Objects[0].(*widget.Label).Text)
	}
	return out
}

// sayNotes says what the window knows at start: the app's notes (a
// crash report), the keychain's, and whether a tray shows Ferry (asked
// off the UI goroutine: it is a D-Bus call).
func (w *Window) sayNotes() {
	for _, t := range w.opts.Notes {
		w.notices.add("", t)
	}
	if w.opts.KeychainNote != "" {
		w.notices.add(noteKeychain, w.opts.KeychainNote)
	}
	if w.opts.TrayHost != nil {
		go func() {
			if !w.opts.TrayHost() {
				w.post(func() {
					w.notices.add(noteTray, "This desktop shows no tray icons, so Ferry cannot keep running with its window closed: closing it asks before stopping uploads.")
				})
			}
		}()
	}
}
