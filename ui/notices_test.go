package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

type failingAwake struct{}

func (failingAwake) Hold(on bool) error {
	if on {
		return errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.login1 was not provided by any .service files")
	}
	return nil
}

// Missing services are said once, in plain words, in lines that can be
// dismissed; a dismissed one stays in Settings and is not said again.
func TestMissingServicesAreSaidOnceInPlainWords(t *testing.T) {
	crash := "Ferry stopped unexpectedly on 7 Dec at 14:02; a report is in /tmp/crash-1.txt."
	h := newHarnessWith(t, func(o *Options) {
		o.Notes = []string{crash}
		o.KeychainNote = "There is no keychain on this computer: Ferry keeps secrets in a file only you can read."
		o.TrayHost = func() bool { return false }
		o.Awake = failingAwake{}
	})
	h.eng.SetRateLimit(64 << 10)
	path, _ := h.file("a.mp4", 1<<20)
	h.w.Add([]string{path}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for len(h.w.notices.texts()) < 4 && time.Now().Before(deadline) {
		h.w.frame(true)
		time.Sleep(20 * time.Millisecond)
	}
	got := strings.Join(h.w.notices.texts(), "\n")
	for _, want := range []string{crash, "no keychain", "no tray icons", "cannot keep this computer awake"} {
		if !strings.Contains(got, want) {
			t.Fatalf("notices lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "DBus") || strings.Contains(h.w.status.Text, "DBus") {
		t.Fatalf("a raw D-Bus error is shown:\n%s\n%s", got, h.w.status.Text)
	}
	// One at a time: dismissing shows the next. Dismiss up to the keychain's.
	if h.w.notices.label.Text != crash || h.w.notices.count.Text != "1 of 4" {
		t.Fatalf("shown %q (%q)", h.w.notices.label.Text, h.w.notices.count.Text)
	}
	dismissButton := h.w.notices.box.Objects[2].(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*widget.Button)
	for i := 0; i < 4 && strings.Contains(strings.Join(h.w.notices.texts(), "\n"), "keychain"); i++ {
		test.Tap(dismissButton)
	}
	if strings.Contains(strings.Join(h.w.notices.texts(), "\n"), "keychain") {
		t.Fatal("the dismissed note stays")
	}
	h.settle()
	if !slices.Contains(h.prefs().Dismissed, noteKeychain) {
		t.Fatal("the dismissal is not kept")
	}
	if !slices.ContainsFunc(h.w.notices.system(), func(s string) bool { return strings.Contains(s, "keychain") }) {
		t.Fatal("Settings would not list the keychain note")
	}
	// The next start does not say it again.
	h.w.prefs = h.prefs()
	n := newNotices(h.w)
	n.add(noteKeychain, "There is no keychain on this computer: Ferry keeps secrets in a file only you can read.")
	if len(n.texts()) != 0 || len(n.system()) != 1 {
		t.Fatalf("a dismissed note at the next start: shown %v, in Settings %v", n.texts(), n.system())
	}
}

// loadPrefs reads the window's saved settings, failing the test if they
// cannot be read.
// prefs are the settings as saved, once the saves the window started off
// its goroutine are done.
func (h *harness) prefs() Prefs {
	h.t.Helper()
	h.settle()
	p, err := LoadPrefs(h.eng)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// A damaged settings record is said at start, and the window runs on the
// defaults.
func TestDamagedSettingsAreSaid(t *testing.T) {
	h := newHarness(t)
	if err := h.eng.SaveSetting(prefsKey, []byte(`{"concurrency": "three`)); err != nil {
		t.Fatal(err)
	}
	w := New(test.NewTempApp(t), Options{Engine: h.eng, RateLimit: -1})
	defer w.Close()
	if got := strings.Join(w.notices.texts(), "\n"); !strings.Contains(got, "could not read its saved window settings") {
		t.Fatalf("notices: %q", got)
	}
	if w.prefs.Concurrency != DefaultPrefs().Concurrency {
		t.Fatalf("concurrency %d; want the default", w.prefs.Concurrency)
	}
}
