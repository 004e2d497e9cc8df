package ui

import (
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/internal/units"
)

// The theme setting: what the dialog says, and what Prefs keeps.
var (
	themeNames   = [...]string{"System", "Light", "Dark"}
	themeChoices = [...]string{"system", "light", "dark"}
)

func themeIndex(choice string) int { return max(slices.Index(themeChoices[:], choice), 0) }

// settingsMaxUploads is the most uploads at once the dialog offers.
const settingsMaxUploads = 16

// settingsMinRate is the lowest upload limit taken: below it uploads would
// crawl so slowly that a typo ("2" for "2 MB") is the likelier meaning.
const settingsMinRate = 1000

// settingsDialog is the Settings dialog: its widgets, so tests can drive
// them.
type settingsDialog struct {
	dlg   *dialog.CustomDialog
	cur   Prefs
	off   offUI
	keep  func(Prefs) error // off the UI goroutine; nil: nothing to keep
	apply func(Prefs) error

	concurrency *widget.Select
	limit       *widget.Entry
	slowMode    *widget.Check
	slowRate    *widget.Entry
	closeToTray *widget.Check
	startMin    *widget.Check
	startLogin  *widget.Check
	notify      *widget.Check
	keepAwake   *widget.Check
	theme       *widget.RadioGroup
	compact     *widget.Check
	problem     *widget.Label // why Save did not close the dialog
	body        *fyne.Container
	save        *widget.Button
	cancel      *widget.Button
}

// showSettings opens the Settings dialog over w, filled from cur. On Save
// it calls save with the new Prefs off the UI goroutine (the caller keeps
// them in bbolt, which waits for the disk), then apply (which puts them in
// force live), and shows an error of either in the dialog without closing
// it. autostartNote is "" when start-at-login works
// here, else a sentence shown beside the disabled checkbox; systemNotes
// say what this computer lacks (a keychain, a tray, …), dismissed or not.
func showSettings(w fyne.Window, off offUI, cur Prefs, autostartNote string, systemNotes []string, save, apply func(Prefs) error) dialog.Dialog {
	s := newSettingsDialog(w, off, cur, autostartNote, systemNotes, save, apply)
	s.dlg.Show()
	return s.dlg
}

func newSettingsDialog(w fyne.Window, off offUI, cur Prefs, autostartNote string, systemNotes []string, save, apply func(Prefs) error) *settingsDialog {
	s := &settingsDialog{cur: cur, off: off, keep: save, apply: apply}

	counts := make([]string, settingsMaxUploads)
	for i := range counts {
		counts[i] = strconv.Itoa(i + 1)
	}
	s.concurrency = widget.NewSelect(counts, nil)
	s.concurrency.SetSelected(strconv.Itoa(min(max(cur.Concurrency, 1), settingsMaxUploads)))

	s.limit = widget.NewEntry()
	s.limit.SetPlaceHolder("No limit")
	s.limit.SetText(rateText(cur.RateLimit))
	s.limit.Validator = func(text string) error { _, err := parseRateText(text, "upload limit", true); return err }

	s.slowRate = widget.NewEntry()
	s.slowRate.SetPlaceHolder("e.g. 500 kB")
	s.slowRate.SetText(rateText(cur.SlowRate))
	s.slowRate.Validator = func(text string) error { _, err := parseRateText(text, "slow-mode limit", false); return err }
	s.slowMode = widget.NewCheck("On", nil)
	s.slowMode.SetChecked(cur.SlowMode)

	s.closeToTray = widget.NewCheck("Close to the tray", nil)
	s.closeToTray.SetChecked(cur.CloseToTray)
	s.startMin = widget.NewCheck("Start minimised", nil)
	s.startMin.SetChecked(cur.StartMinimised)
	s.startLogin = widget.NewCheck("Start at login", nil)
	s.startLogin.SetChecked(cur.StartAtLogin && autostartNote == "")
	if autostartNote != "" {
		s.startLogin.Disable()
	}
	s.notify = widget.NewCheck("Notify when uploads end", nil)
	s.notify.SetChecked(cur.Notifications)
	s.keepAwake = widget.NewCheck("Keep the computer awake while uploading", nil)
	s.keepAwake.SetChecked(cur.KeepAwake)

	s.theme = widget.NewRadioGroup(themeNames[:], nil)
	s.theme.Horizontal = true
	s.theme.SetSelected(themeNames[themeIndex(cur.Theme)])
	s.compact = widget.NewCheck("Compact rows: one line a file", nil)
	s.compact.SetChecked(cur.CompactRows)

	s.problem = widget.NewLabel("")
	s.problem.Wrapping = fyne.TextWrapWord
	s.problem.Importance = widget.DangerImportance

	// The rate entries are the form's own items, so a mistake is said
	// under its field (in place of the hint) and goes when it is fixed.
	uploads := widget.NewForm(
		&widget.FormItem{Text: "Uploads at once", Widget: container.NewHBox(s.concurrency),
			HintText: "Files sent side by side; the others wait in the queue."},
		&widget.FormItem{Text: "Upload limit /s", Widget: s.limit,
			HintText: "For all uploads together, e.g. 2 MB or 500 kB. Empty or 0: none."},
		&widget.FormItem{Text: "Slow mode", Widget: s.slowMode,
			HintText: "The turtle: while it is on, the slow limit replaces the one above."},
		&widget.FormItem{Text: "Slow limit /s", Widget: s.slowRate,
			HintText: "e.g. 500 kB, for when others need the connection."},
	)

	window := container.NewVBox(
		container.NewGridWithColumns(2, s.closeToTray, s.startMin, s.startLogin, s.notify),
		s.keepAwake)
	if autostartNote != "" {
		note := widget.NewLabel(autostartNote)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.LowImportance
		window.Add(note)
	}

	look := widget.NewForm(
		&widget.FormItem{Text: "Theme", Widget: s.theme, HintText: "System follows your desktop's light or dark setting."},
		&widget.FormItem{Text: "Rows", Widget: s.compact, HintText: "20 files or more in view; act on them by selecting, or with a right click."},
	)
	content := container.NewVBox(
		dialogHeading("Uploads"), uploads,
		widget.NewSeparator(),
		dialogHeading("Appearance"), look,
		widget.NewSeparator(),
		dialogHeading("Window and computer"), window,
	)
	for _, n := range systemNotes {
		l := widget.NewLabel(n)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		content.Add(l)
	}
	s.body = container.NewBorder(nil, messageArea(s.problem, 2), nil, nil, container.NewVScroll(content))

	s.dlg = dialog.NewCustomWithoutButtons("Settings", s.body, w)
	s.cancel = widget.NewButton("Cancel", s.dlg.Hide)
	s.save = widget.NewButton("Save", s.submit)
	s.save.Importance = widget.HighImportance
	s.dlg.SetButtons([]fyne.CanvasObject{s.cancel, s.save})
	s.limit.OnSubmitted = func(string) { s.submit() }
	s.slowRate.OnSubmitted = func(string) { s.submit() }
	s.dlg.Resize(fitSize(w, 580, content.MinSize().Height+messageArea(s.problem, 2).MinSize().Height+80))
	return s
}

// prefs reads the form: the new Prefs, or a sentence saying what to fix.
func (s *settingsDialog) prefs() (Prefs, error) {
	p := s.cur
	n, err := strconv.Atoi(s.concurrency.Selected)
	if err != nil || n < 1 || n > settingsMaxUploads {
		return p, fmt.Errorf("Choose how many uploads run at once, 1 to %d.", settingsMaxUploads)
	}
	p.Concurrency = n
	if p.RateLimit, err = formRate(s.limit.Text, s.cur.RateLimit, "upload limit", true); err != nil {
		return p, err
	}
	if p.SlowRate, err = formRate(s.slowRate.Text, s.cur.SlowRate, "slow-mode limit", false); err != nil {
		return p, err
	}
	p.SlowMode = s.slowMode.Checked
	p.CloseToTray = s.closeToTray.Checked
	p.StartMinimised = s.startMin.Checked
	if !s.startLogin.Disabled() {
		p.StartAtLogin = s.startLogin.Checked
	}
	p.Notifications = s.notify.Checked
	p.KeepAwake = s.keepAwake.Checked
	p.Theme = themeChoices[max(slices.Index(themeNames[:], s.theme.Selected), 0)]
	p.CompactRows = s.compact.Checked
	return p, nil
}

// submit checks the form and hands the Prefs to save, then apply; the
// dialog closes only when all three are happy.
func (s *settingsDialog) submit() {
	p, err := s.prefs()
	if err != nil {
		s.problem.SetText(err.Error())
		return
	}
	s.off(func() error {
		if s.keep == nil {
			return nil
		}
		return s.keep(p)
	}, func(err error) {
		if err == nil {
			err = s.apply(p)
		}
		if err != nil {
			s.problem.SetText(err.Error())
			return
		}
		s.problem.SetText("")
		s.dlg.Hide()
	})
}

// formRate reads a rate field of the form: a field left as it was shown
// keeps the saved value (which its text may round: 524288 B/s shows as
// "524 kB"); anything typed is parsed.
func formRate(text string, saved int64, what string, noneOK bool) (int64, error) {
	if saved > 0 && strings.TrimSpace(text) == rateText(saved) {
		return saved, nil
	}
	return parseRateText(text, what, noneOK)
}

// parseRateText reads a rate in bytes per second as people type it: "2MB",
// "500 kB", "10 MB/s", and IEC units too ("500 KiB"). Empty or 0 is no
// limit where none is allowed.
func parseRateText(text, what string, noneOK bool) (int64, error) {
	t := strings.TrimSpace(text)
	if t == "" || t == "0" {
		if noneOK {
			return 0, nil
		}
		return 0, fmt.Errorf("Give the %s, e.g. 500 kB; 0 would mean no limit at all.", what)
	}
	v, err := units.Parse(t)
	switch {
	case errors.Is(err, units.ErrBits):
		return 0, fmt.Errorf("%q is in bits; the %s is in bytes: 8 Mbps is 1 MB, so write e.g. 1 MB.", t, what)
	case errors.Is(err, units.ErrRange) && !strings.HasPrefix(t, "-"):
		return 0, fmt.Errorf("%q is more than any network can carry; give a smaller %s.", t, what)
	case err != nil:
		return 0, fmt.Errorf("%q is not a rate the %s understands: write a number and a unit, e.g. 2 MB, 500 kB or 10 MB.", t, what)
	}
	if v == 0 && noneOK {
		return 0, nil
	}
	if v < settingsMinRate {
		if _, err := strconv.ParseFloat(t, 64); err == nil {
			return 0, fmt.Errorf("%s bytes a second is too slow to upload anything; give a unit, e.g. %s MB or %s kB.", t, t, t)
		}
		return 0, fmt.Errorf("%s a second is too slow to upload anything; give at least 1 kB.", units.Size(v))
	}
	return v, nil
}

// rateText shows a rate in SI units, exactly where a round figure says it
// ("500 kB", "2 MB", "1.5 MB"), else rounded ("524 kB"); "" for none.
func rateText(n int64) string {
	if n <= 0 {
		return ""
	}
	text, _ := units.Exact(n)
	return text
}

// exactSize shows a size exactly, in the largest unit that divides it,
// so that parsing it again gives the same number. For chunk sizes, whose
// rules are exact binary multiples (Cloudflare's 256 KiB): rates and
// sizes shown are SI (rateText, size).
func exactSize(n int64) string {
	units := []struct {
		size int64
		name string
	}{
		{1 << 30, "GiB"}, {1e9, "GB"}, {1 << 20, "MiB"}, {1e6, "MB"}, {1 << 10, "KiB"}, {1e3, "kB"},
	}
	for _, u := range units {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}

// messageArea holds a wrapped sentence under a form, with room for
// lines of it kept even when empty, so nothing jumps when one appears.
func messageArea(l *widget.Label, lines int) fyne.CanvasObject {
	line := fyne.MeasureText("Ag", theme.TextSize(), l.TextStyle).Height
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, float32(lines)*line+2*theme.InnerPadding()))
	return container.NewStack(room, l)
}

// dialogHeading is a section title in a dialog.
func dialogHeading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}
