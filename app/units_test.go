package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8/decor"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// Issue 13: the command line writes sizes and rates as the window does
// (internal/units, decimal SI), and says why nothing moves.

func TestProgressLinesAndBarsSaySI(t *testing.T) {
	var out bytes.Buffer
	l := &lines{w: &out, last: map[string]lineState{}}
	j := engine.Job{ID: "1", Path: "a.mov", Size: 3_400_000, Offset: 1_234_567, State: engine.Uploading, Speed: 524_288, ETA: 4 * time.Second}
	l.update([]engine.Job{j}, engine.Totals{})
	j.Reason = engine.Reconnecting
	l.update([]engine.Job{j}, engine.Totals{})
	want := "uploading  a.mov (3.4 MB)\nuploading  a.mov: reconnecting at 1.2 MB of 3.4 MB\n"
	if out.String() != want {
		t.Fatalf("lines:\n%s\nwant:\n%s", out.String(), want)
	}
	j.Reason = ""
	if got := status(j); got != "524 kB/s, 4s left" {
		t.Fatalf("status %q", got)
	}
	if got, _ := counters().Decor(decor.Statistics{Current: 1_234_567, Total: 3_400_000}); strings.TrimSpace(got) != "1.2 MB / 3.4 MB" {
		t.Fatalf("bar counters %q", got)
	}
}

func TestTotalBarSaysWhyNothingMoves(t *testing.T) {
	var up, paused engine.Totals
	up.ByState[engine.Uploading], up.Speed, up.ETA = 2, 12.5e6, 90*time.Second
	paused.ByState[engine.Paused] = 2
	connecting := engine.Totals{Connecting: 1}
	connecting.ByState[engine.Uploading] = 1
	for _, c := range []struct {
		t    engine.Totals
		want string
	}{{up, "12 MB/s, 1m30s left"}, {paused, "paused"}, {connecting, "starting…"}, {engine.Totals{}, ""}} {
		if got := overall(c.t); got != c.want {
			t.Errorf("overall(%v) = %q, want %q", c.t.ByState, got, c.want)
		}
	}
}

func TestQueueTableSaysSI(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	t.Setenv("FERRY_KEYCHAIN", "file") // nor the keychain of Windows or macOS
	srv := tustest.New(t)
	data := wine.TempDir(t)
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "clip.mp4", 3_400_000, 1)
	eng, err := engine.Open(engine.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	sub := eng.Subscribe(engine.JobChanged.Mask(), 64)
	eng.Start()
	if _, err := eng.Add(p, engine.Destination{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-sub.C:
			done = ev.Job.State == engine.Done
		case <-deadline:
			t.Fatalf("not uploaded: %+v", eng.Snapshot().Jobs)
		}
	}
	sub.Close()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := cmdQueue([]string{"--data-dir", data}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3.4 MB") || strings.Contains(out.String(), "MiB") {
		t.Fatalf("ferry queue:\n%s", out.String())
	}
}

func TestSizeFlagReadsAsTheWindowDoes(t *testing.T) {
	for in, want := range map[string]int64{"500kB": 500_000, "2 MB": 2_000_000, "2MBps": 2_000_000, "10MiB/s": 10 << 20} {
		var s sizeFlag
		if err := s.Set(in); err != nil || int64(s) != want {
			t.Errorf("%q → %d, %v; want %d", in, s, err, want)
		}
	}
	var s sizeFlag
	if err := s.Set("100Mbps"); err == nil || !strings.Contains(err.Error(), "bits") {
		t.Errorf("megabits taken for bytes: %v", err)
	}
}
