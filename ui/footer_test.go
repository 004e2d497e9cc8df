package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
)

// Issue 13, "Numbers that never lie": the footer, the rows and Settings.

func footerTotals(speed float64, connecting int, counts map[engine.State]int) engine.Totals {
	t := engine.Totals{Speed: speed, Connecting: connecting}
	for s, n := range counts {
		t.ByState[s] = n
		if s.Active() || s == engine.Paused {
			t.FilesLeft += n
			t.BytesLeft += int64(n) * 1_500_000
		}
	}
	return t
}

func TestFooterSaysIdleOnlyWhenNothingIsLeft(t *testing.T) {
	test.NewTempApp(t)
	f := newFooter()
	for _, c := range []struct {
		t    engine.Totals
		want string
	}{
		{footerTotals(0, 0, nil), "idle"},
		{footerTotals(0, 0, map[engine.State]int{engine.Done: 4, engine.Failed: 1}), "idle"},
		{footerTotals(524_288, 0, map[engine.State]int{engine.Uploading: 3, engine.Queued: 9997}), "524 kB/s"},
		{footerTotals(12.5e6, 0, map[engine.State]int{engine.Uploading: 1}), "12 MB/s"},
		{footerTotals(0, 3, map[engine.State]int{engine.Uploading: 3, engine.Queued: 9997}), "starting…"},
		{footerTotals(0, 1, map[engine.State]int{engine.Uploading: 2}), "stalled"},
		{footerTotals(0, 0, map[engine.State]int{engine.Waiting: 2, engine.Paused: 1}), "waiting to retry"},
		{footerTotals(0, 0, map[engine.State]int{engine.Queued: 2, engine.Paused: 1}), "queued"},
		{footerTotals(0, 0, map[engine.State]int{engine.Paused: 3, engine.Done: 2}), "paused"},
	} {
		f.show(c.t)
		if f.speed.Text != c.want {
			t.Errorf("%v at %.0f B/s (%d connecting): footer says %q, want %q", c.t.ByState, c.t.Speed, c.t.Connecting, f.speed.Text, c.want)
		}
	}
	f.show(engine.Totals{FilesLeft: 1, BytesLeft: 524_288, Speed: 100_000, ETA: 3 * time.Minute, ByState: footerTotals(0, 0, map[engine.State]int{engine.Uploading: 1}).ByState})
	if f.bytes.Text != "524 kB to send" || f.speed.Text != "100 kB/s" || f.eta.Text != "3 min left" {
		t.Errorf("footer: %q %q %q", f.bytes.Text, f.speed.Text, f.eta.Text)
	}
	f.show(footerTotals(0, 0, map[engine.State]int{engine.Paused: 1}))
	if f.eta.Text != "" {
		t.Errorf("a paused queue has %q left", f.eta.Text)
	}
}

func TestRowsSaySIAndReconnecting(t *testing.T) {
	j := engine.Job{Path: "a.mov", Size: 3_400_000, Offset: 1_234_567, State: engine.Uploading, Speed: 524_288, ETA: 7 * time.Second}
	if got := detailLine(j); got != "1.2 MB of 3.4 MB · 524 kB/s · 7 s left" {
		t.Errorf("detail line %q", got)
	}
	j.Reason, j.Speed, j.ETA = engine.Reconnecting, 0, 0
	if got := stateLine(j, time.Now(), false); got != "Reconnecting — 36 %" {
		t.Errorf("state line %q", got)
	}
	if got := detailLine(j); got != "1.2 MB of 3.4 MB" {
		t.Errorf("the bar holds, its figures too: %q", got)
	}
}

// totalsWhere waits, on the engine's events, for totals that ok accepts,
// then draws the window from the engine's snapshot.
func (h *harness) totalsWhere(ok func(engine.Totals) bool) engine.Totals {
	h.t.Helper()
	sub := h.eng.Subscribe(engine.TotalsChanged.Mask(), 256)
	defer sub.Close()
	deadline := time.After(30 * time.Second)
	for tot := h.eng.Totals(); !ok(tot); {
		select {
		case ev := <-sub.C:
			tot = ev.Totals
		case <-deadline:
			h.t.Fatalf("totals never got there: %+v", h.eng.Totals())
		}
	}
	h.w.m.reset(h.eng.Snapshot())
	h.w.frame(true)
	tot, _ := h.w.m.queueTotals()
	return tot
}

func TestFooterOfAnUploadThenAPausedQueue(t *testing.T) {
	h := newHarness(t, tustest.WithFaults(tustest.Faults{RateLimit: 400_000}))
	path, _ := h.file("long.mov", 8_000_000)
	if _, err := h.eng.Add(path, engine.Destination{Name: "tusd"}); err != nil {
		t.Fatal(err)
	}
	h.totalsWhere(func(t engine.Totals) bool { return t.Speed > 0 && t.Count(engine.Uploading) == 1 })
	if s := h.w.footer.speed.Text; !strings.HasSuffix(s, "kB/s") && !strings.HasSuffix(s, "MB/s") {
		t.Fatalf("uploading, the footer says %q", s)
	}
	h.eng.PauseAll()
	tot := h.totalsWhere(func(t engine.Totals) bool { return t.Count(engine.Paused) == 1 && t.Speed == 0 })
	if got := h.w.footer.speed.Text; got != "paused" || tot.FilesLeft != 1 {
		t.Fatalf("a paused queue: the footer says %q (%+v)", got, tot)
	}
	if got := h.w.footer.eta.Text; got != "" {
		t.Fatalf("a paused queue has %q left", got)
	}
}

func TestSettingsShowSIAndKeepWhatWasNotTouched(t *testing.T) {
	cur := DefaultPrefs()
	cur.SlowRate = 512 << 10 // what earlier versions saved
	s, w, calls := settingsWindow(t, cur, "", nil)
	if s.slowRate.Text != "524 kB" {
		t.Fatalf("slow limit shown as %q", s.slowRate.Text)
	}
	if markup := test.RenderToMarkup(w.Canvas()); strings.Contains(markup, "KiB") || !strings.Contains(markup, "500 kB") {
		t.Fatal("the dialog's hints are not in SI units")
	}
	test.Tap(s.save)
	if len(*calls) != 1 || (*calls)[0].SlowRate != 512<<10 {
		t.Fatalf("an untouched field changed the saved rate: %+v", *calls)
	}

	s, _, calls = settingsWindow(t, cur, "", nil)
	s.slowRate.SetText("")
	test.Type(s.slowRate, "500 kB")
	s.limit.SetText("8 Mbps")
	test.Tap(s.save)
	if len(*calls) != 0 || !strings.Contains(s.problem.Text, "bits") {
		t.Fatalf("bits taken for bytes: calls %+v, problem %q", *calls, s.problem.Text)
	}
	s.limit.SetText("1 MiB") // IEC still reads
	test.Tap(s.save)
	if len(*calls) != 1 || (*calls)[0].SlowRate != 500_000 || (*calls)[0].RateLimit != 1<<20 {
		t.Fatalf("apply got %+v", *calls)
	}
}
