package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// notices are sentences said once under the toolbar, one at a time with
// a button that dismisses it (the next then shows, "1 of 3" says how many
// wait): a crash report the last run left, a service this computer lacks
// (keychain, tray, keeping awake). One at a time, so that they never push
// the queue off a small screen. A dismissed service note is not said
// again at the next start; Settings keep them all.
type notices struct {
	w       *Window
	box     *fyne.Container
	pending []notice
	said    map[string]string // the service notes, by key, for Settings
	label   *widget.Label
	count   *widget.Label
}

type notice struct{ key, text string }

// The keys of the service notes.
const (
	noteKeychain = "keychain"
	noteTray     = "tray"
	noteAwake    = "awake"
)

func newNotices(w *Window) *notices {
	n := &notices{w: w, said: map[string]string{}, label: widget.NewLabel(""), count: widget.NewLabel("")}
	n.label.Wrapping = fyne.TextWrapWord
	n.label.Importance = widget.WarningImportance
	n.count.SizeName = theme.SizeNameCaptionText
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), n.dismiss)
	dismiss.Importance = widget.LowImportance
	n.box = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), container.NewCenter(container.NewHBox(n.count, dismiss)), n.label)
	n.box.Hide()
	return n
}

// add says text; key, when not "", names a service note: remembered for
// Settings, and not said when the user dismissed it before.
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
	n.pending = append(n.pending, notice{key, text})
	n.show()
}

// dismiss takes the note shown away, for good if it names a service.
func (n *notices) dismiss() {
	if len(n.pending) == 0 {
		return
	}
	key := n.pending[0].key
	n.pending = n.pending[1:]
	if key != "" && !slices.Contains(n.w.prefs.Dismissed, key) {
		n.w.prefs.Dismissed = append(n.w.prefs.Dismissed, key)
		n.w.savePrefs()
	}
	n.show()
}

func (n *notices) show() {
	if len(n.pending) == 0 {
		n.box.Hide()
		return
	}
	n.label.SetText(n.pending[0].text)
	n.count.SetText("")
	if len(n.pending) > 1 {
		n.count.SetText(fmt.Sprintf("1 of %d", len(n.pending)))
	}
	n.box.Show()
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

// texts are the notes still to be read, the one shown first.
func (n *notices) texts() []string {
	var out []string
	for _, p := range n.pending {
		out = append(out, p.text)
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
	if w.prefsErr != nil {
		w.notices.add("", w.prefsErr.Error())
	}
	if w.opts.KeychainNote != "" {
		w.notices.add(noteKeychain, w.opts.KeychainNote)
	}
	if w.opts.TrayHost != nil {
		shows := true
		w.background(func() error { // a D-Bus call
			shows = w.opts.TrayHost()
			return nil
		}, func(error) {
			if !shows {
				w.notices.add(noteTray, "This desktop shows no tray icons, so Ferry cannot keep running with its window closed: closing it asks before stopping uploads.")
			}
		})
	}
}
