package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// longQueue fills the window with n done jobs of long names, newest
// (number n-1) on top.
func (h *harness) longQueue(n int) {
	h.t.Helper()
	var uris []fyne.URI
	for i := range n {
		p, _ := h.file(fmt.Sprintf("a-very-long-name-of-a-video-file-from-the-camera-card-%04d.mp4", i), 1000)
		uris = append(uris, storage.NewFileURI(p))
	}
	h.w.Drop(uris)
	h.rowOf(fmt.Sprintf("a-very-long-name-of-a-video-file-from-the-camera-card-%04d.mp4", n-1), stateIs("Done"))
}

// The window's smallest size fits an 800×600 screen at scale 1 and a
// 1366×768 screen at scale 2 (683×384 in Fyne's units), with room for
// the title bar and a panel: the toolbar and the tabs fold to icons.
func TestWindowFitsSmallScreens(t *testing.T) {
	h := newHarness(t)
	h.longQueue(30)
	h.w.notices.add("", "Ferry stopped unexpectedly on 7 Dec at 14:02; a report is in /home/ana/.config/ferry/crash/crash-20261207-140212.txt — attach it to a bug report if you file one.")
	h.w.notices.add(noteKeychain, "No system keychain here (no Secret Service on D-Bus): Ferry keeps tokens in /home/ana/.config/ferry/secrets.json, in plain text, readable only by you (0600).")
	h.w.notices.add(noteAwake, "Ferry cannot keep this computer awake while it uploads (no power manager answered), so uploads pause while it sleeps and go on when it wakes.")
	for _, compact := range []bool{false, true} {
		h.w.setCompact(compact)
		h.w.win.Resize(fyne.NewSize(660, 340)) // wrapped lines take the height of this width
		h.w.frame(true)
		min := h.w.win.Content().MinSize()
		if min.Width > 683-20 || min.Height > 384-60 {
			t.Fatalf("compact %v: the window needs at least %v; a 1366×768 screen at scale 2 gives 683×384", compact, min)
		}
	}
	// At that size the destination selector and the settings stay in
	// reach, and the toolbar shows icons.
	h.w.win.Resize(fyne.NewSize(660, 320))
	h.w.frame(true)
	if !h.w.dest.Visible() || h.w.dest.Size().Width < 60 {
		t.Fatalf("the destination selector at the smallest size: %v", h.w.dest.Size())
	}
	if h.w.bars[0].isWide {
		t.Fatal("a narrow window keeps the wide toolbar")
	}
	h.w.win.Resize(fyne.NewSize(1040, 720))
	h.w.frame(true)
	if !h.w.bars[0].isWide || !h.w.bars[1].isWide {
		t.Fatal("a wide window keeps the narrow toolbar")
	}
}

// Compact rows: 20 or more jobs show whole at the default size.
func TestCompactRowsShowTwentyJobs(t *testing.T) {
	h := newHarness(t)
	h.longQueue(30)
	h.w.win.Resize(fyne.NewSize(1040, 720))
	whole := func() int {
		h.w.frame(true)
		d := fyne.CurrentApp().Driver()
		bottom := d.AbsolutePositionForObject(h.w.list).Y + h.w.list.Size().Height
		n := 0
		for _, r := range h.rows() {
			if d.AbsolutePositionForObject(r).Y+r.Size().Height <= bottom+0.5 {
				n++
			}
		}
		return n
	}
	full := whole()
	h.w.setCompact(true)
	compact := whole()
	if compact < 20 {
		t.Fatalf("compact rows: %d jobs show whole at 1040×720, want 20 or more (full rows: %d)", compact, full)
	}
	// A compact row still says the state in words, not by colour alone.
	for _, r := range h.rows() {
		if !strings.HasPrefix(r.state.Text, "Done") {
			t.Fatalf("compact row state %q", r.state.Text)
		}
	}
}

// A drop scrolls its files into view, whatever the history above them.
func TestDropScrollsItsFilesIntoView(t *testing.T) {
	h := newHarness(t)
	h.longQueue(40)
	h.w.setSort(sortName)
	h.w.list.ScrollToBottom()
	p, _ := h.file("a-aaa-first-by-name.mp4", 1000)
	h.w.Drop([]fyne.URI{storage.NewFileURI(p)})
	h.rowOf("a-aaa-first-by-name.mp4", stateIs("")) // on screen
}

// Settings switch the theme and the rows live, and keep them.
func TestSettingsSwitchThemeAndRows(t *testing.T) {
	h := newHarness(t)
	h.longQueue(3)
	save := func(p Prefs) error { return SavePrefs(h.eng, p) }
	s := newSettingsDialog(h.w.win, waitForWork, h.w.prefs, "", []string{"No keychain here: secrets are kept in a file."}, save, func(p Prefs) error {
		return h.w.applyPrefs(p, false)
	})
	s.theme.SetSelected("Dark")
	s.compact.SetChecked(true)
	s.submit()
	if s.problem.Text != "" {
		t.Fatal(s.problem.Text)
	}
	bg := fyne.CurrentApp().Settings().Theme().Color("background", 0) // asked as light: dark is forced
	if r, g, b, _ := bg.RGBA(); r > 0x8000 || g > 0x8000 || b > 0x8000 {
		t.Fatalf("dark theme: background %v", bg)
	}
	if !h.w.list.compact {
		t.Fatal("the rows are not compact")
	}
	if p := h.prefs(); p.Theme != "dark" || !p.CompactRows {
		t.Fatalf("kept %+v", p)
	}
	found := false
	for _, o := range test.LaidOutObjects(s.body) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "No keychain here") {
			found = true
		}
	}
	if !found {
		t.Fatal("Settings do not say what this computer lacks")
	}
}

// A rate typed wrong in Settings is said under its field.
func TestSettingsSayAMistakeAtItsField(t *testing.T) {
	s, w, _ := settingsWindow(t, DefaultPrefs(), "", nil)
	w.Canvas().Focus(s.limit)
	test.Type(s.limit, "fast")
	w.Canvas().Unfocus()
	if m := test.RenderToMarkup(w.Canvas()); !strings.Contains(m, `color="error"`) || !strings.Contains(m, "is not a rate") {
		t.Fatal("the mistake is not said under the field")
	}
}
