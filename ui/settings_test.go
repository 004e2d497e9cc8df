package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// settingsWindow opens the Settings dialog in a test window; calls
// collects what apply was given.
func settingsWindow(t *testing.T, cur Prefs, note string, applyErr error) (*settingsDialog, fyne.Window, *[]Prefs) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("Ferry"))
	w.Resize(fyne.NewSize(800, 700))
	var calls []Prefs
	s := newSettingsDialog(w, waitForWork, cur, note, nil, nil, func(p Prefs) error {
		calls = append(calls, p)
		return applyErr
	})
	s.dlg.Show()
	return s, w, &calls
}

func dialogOpen(w fyne.Window) bool { return w.Canvas().Overlays().Top() != nil }

func TestSettingsSaveHandsTheNewPrefsToApply(t *testing.T) {
	cur := DefaultPrefs()
	s, w, calls := settingsWindow(t, cur, "", nil)
	if s.concurrency.Selected != "3" || s.limit.Text != "" || s.slowRate.Text != "500 kB" {
		t.Fatalf("filled with %q %q %q", s.concurrency.Selected, s.limit.Text, s.slowRate.Text)
	}
	s.concurrency.SetSelected("5")
	test.Type(s.limit, "2MB")
	test.Tap(s.slowMode)
	s.slowRate.SetText("")
	test.Type(s.slowRate, "256 KiB")
	test.Tap(s.notify) // on by default: now off
	test.Tap(s.startLogin)
	test.Tap(s.save)
	if len(*calls) != 1 {
		t.Fatalf("apply called %d times", len(*calls))
	}
	p := (*calls)[0]
	want := cur
	want.Concurrency, want.RateLimit, want.SlowMode, want.SlowRate = 5, 2_000_000, true, 256<<10
	want.Notifications, want.StartAtLogin = false, true
	if fmt.Sprintf("%+v", p) != fmt.Sprintf("%+v", want) {
		t.Fatalf("apply got %+v\nwant %+v", p, want)
	}
	if p.Rate() != 256<<10 {
		t.Fatalf("rate in force %d", p.Rate())
	}
	if dialogOpen(w) {
		t.Fatal("the dialog stayed open after a good Save")
	}
}

func TestSettingsBadLimitIsASentenceAndApplyIsNotCalled(t *testing.T) {
	s, w, calls := settingsWindow(t, DefaultPrefs(), "", nil)
	test.Type(s.limit, "fast")
	test.Tap(s.save)
	if len(*calls) != 0 {
		t.Fatalf("apply was called with %+v", *calls)
	}
	if !strings.Contains(s.problem.Text, `"fast" is not a rate`) || !strings.Contains(s.problem.Text, "2 MB") {
		t.Fatalf("problem shown: %v %q", s.problem.Text != "", s.problem.Text)
	}
	if !dialogOpen(w) {
		t.Fatal("bad input closed the dialog")
	}
	if s.limit.Validate() == nil {
		t.Fatal("the entry does not mark its bad value")
	}
	// Fixed, it goes through, and the sentence goes.
	s.limit.SetText("500 KiB")
	test.Tap(s.save)
	if len(*calls) != 1 || (*calls)[0].RateLimit != 500<<10 {
		t.Fatalf("apply got %+v", *calls)
	}
	if s.problem.Text != "" || dialogOpen(w) {
		t.Fatal("the dialog or its sentence stayed after a good Save")
	}
}

func TestSettingsApplyErrorKeepsTheDialogOpen(t *testing.T) {
	s, w, calls := settingsWindow(t, DefaultPrefs(), "", errors.New("The settings were not saved: the disk is full."))
	s.concurrency.SetSelected("16")
	test.Tap(s.save)
	if len(*calls) != 1 || (*calls)[0].Concurrency != 16 {
		t.Fatalf("apply got %+v", *calls)
	}
	if !dialogOpen(w) || !strings.Contains(s.problem.Text, "disk is full") {
		t.Fatalf("open %v, problem %q", dialogOpen(w), s.problem.Text)
	}
	test.Tap(s.cancel)
	if dialogOpen(w) || len(*calls) != 1 {
		t.Fatal("Cancel did not just close the dialog")
	}
}

func TestSettingsSlowModeNeedsARate(t *testing.T) {
	s, _, calls := settingsWindow(t, DefaultPrefs(), "", nil)
	s.slowRate.SetText("0")
	test.Tap(s.save)
	if len(*calls) != 0 || !strings.Contains(s.problem.Text, "slow-mode limit") {
		t.Fatalf("calls %v, problem %q", *calls, s.problem.Text)
	}
	s.slowRate.SetText("2")
	test.Tap(s.save)
	if len(*calls) != 0 || !strings.Contains(s.problem.Text, "2 MB") {
		t.Fatalf("a bare 2: calls %v, problem %q", *calls, s.problem.Text)
	}
}

func TestSettingsAutostartNoteDisablesTheCheckbox(t *testing.T) {
	cur := DefaultPrefs()
	cur.StartAtLogin = true // what an older run saved
	note := "Starting at login is not supported on this system yet."
	s, w, calls := settingsWindow(t, cur, note, nil)
	if !s.startLogin.Disabled() || s.startLogin.Checked {
		t.Fatalf("disabled %v checked %v", s.startLogin.Disabled(), s.startLogin.Checked)
	}
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), note) {
		t.Fatal("the note is not shown")
	}
	test.Tap(s.save)
	if len(*calls) != 1 || fmt.Sprintf("%+v", (*calls)[0]) != fmt.Sprintf("%+v", cur) {
		t.Fatalf("unchanged settings came back as %+v", *calls)
	}
}

func TestShowSettingsOpensOverTheWindow(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("Ferry"))
	w.Resize(fyne.NewSize(800, 700))
	d := showSettings(w, waitForWork, DefaultPrefs(), "", nil, nil, func(Prefs) error { return nil })
	if !dialogOpen(w) || !strings.Contains(test.RenderToMarkup(w.Canvas()), "Uploads at once") {
		t.Fatal("no Settings dialog")
	}
	d.Hide()
}

func TestSettingsRateText(t *testing.T) {
	good := map[string]int64{"": 0, "0": 0, " 2MB ": 2_000_000, "500 KiB": 500 << 10, "10 MiB": 10 << 20,
		"10 MiB/s": 10 << 20, "1.5 MB": 1_500_000, "1 GiB": 1 << 30}
	for in, want := range good {
		got, err := parseRateText(in, "upload limit", true)
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"fast", "-1", "2", "12 B", "1 XB", "MB", "2 Mbps"} {
		if _, err := parseRateText(in, "upload limit", true); err == nil {
			t.Errorf("%q was taken", in)
		} else if !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("%q: %q is not a sentence", in, err)
		}
	}
	for _, n := range []int64{1, 1000, 1024, 512 << 10, 2_000_000, 10 << 20, 1 << 30, 1_500_000, 5<<20 + 1} {
		back, err := formRate(rateText(n), n, "x", true)
		if n >= settingsMinRate && (err != nil || back != n) {
			t.Errorf("%d shown as %q reads back as %d, %v", n, rateText(n), back, err)
		}
	}
	if rateText(0) != "" || rateText(512<<10) != "524 kB" || rateText(2_000_000) != "2 MB" {
		t.Errorf("shown: %q %q %q", rateText(0), rateText(512<<10), rateText(2_000_000))
	}
}
