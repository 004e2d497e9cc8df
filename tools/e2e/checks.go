//go:build linux

package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// rate is the window's --limit-rate in bytes/s (4MB: decimal megabytes).
const (
	rateFlag = "4MB"
	rate     = 4e6
)

func checks(s *stage, f *ferryApp, drop string) {
	src := filepath.Join(s.tmp, "src")
	big := makeFile(filepath.Join(src, "Harbour crossing 24M.mov"), 24*MiB)
	folder := filepath.Join(src, "Shoot 2024")
	clips := []srcFile{
		makeFile(filepath.Join(folder, "day 1", "clip-a.mp4"), 3*MiB),
		makeFile(filepath.Join(folder, "day 1", "clip-b.mov"), 2*MiB),
		makeFile(filepath.Join(folder, "day 1", "clip-c.mkv"), 1*MiB+123),
	}
	makeFile(filepath.Join(folder, ".x.mp4"), 64*KiB)
	makeFile(filepath.Join(folder, "day 1", "y.mp4.part"), 64*KiB)
	handed := makeFile(filepath.Join(src, "Handed over.mov"), 3*MiB)
	quitter := makeFile(filepath.Join(src, "Quit mid-upload.mov"), 64*MiB)
	dropped := append([]srcFile{big}, clips...)
	ok("made the files: one of 24 MiB, a folder with 3 in a sub-folder plus .x.mp4 and y.mp4.part, 3 MiB, 64 MiB")

	// The window, first start: the built-in receiver is the destination.
	wid := f.openWindow("--limit-rate", rateFlag)
	ok("the window shows (xdotool finds %q, %s) %.1fs after start, and answers ferry queue after %.1fs", "Ferry", wid, f.shown.Seconds(), f.answered.Seconds())

	// The tray, as a panel sees it.
	var labels []string
	poll("the tray menu to show Show Ferry, Pause all, Resume all, Quit", 30*time.Second, func() (bool, string) {
		f.alive()
		var err error
		labels, err = trayLabels(s.bus)
		if err != nil {
			return false, err.Error()
		}
		for _, want := range []string{"Show Ferry", "Pause all", "Resume all", "Quit"} {
			if !slices.Contains(labels, want) {
				return false, fmt.Sprintf("menu %q", labels)
			}
		}
		return true, ""
	})
	icon, _ := trayIcon(s.bus)
	ok("tray menu over D-Bus: %s (%s)", strings.Join(labels, " | "), icon)

	// A drop: one file and one folder.
	dropOn(s, drop, wid, big.path, folder)
	var q queue
	poll("the dropped files to be queued", 30*time.Second, func() (bool, string) {
		q = f.queue()
		for _, sf := range dropped {
			if _, found := q.byPath(sf.path); !found {
				return false, q.String()
			}
		}
		return true, ""
	})
	if len(q) != len(dropped) {
		fatalf("the drop queued %d jobs, want %d (one per file, hidden and temporary files skipped): %s", len(q), len(dropped), q)
	}
	ok("dropped (XDND) a file and a folder: %d jobs, one per file; .x.mp4 and y.mp4.part not queued", len(q))

	// Pause all from the tray while the big file uploads.
	j := f.waitJob(big.path, "uploading with 1 MiB sent", 60*time.Second, func(j job) bool {
		return j.State == "uploading" && j.Offset >= MiB && j.URL != ""
	})
	work := filepath.Join(f.recv, ".ferry-incoming", uploadID(j.URL))
	if err := trayClick(s.bus, "Pause all"); err != nil {
		fatalf("clicking Pause all in the tray: %v", err)
	}
	poll("every unfinished job to be paused", 20*time.Second, func() (bool, string) {
		q = f.queue()
		for _, j := range q {
			if j.State != "paused" && j.State != "done" {
				return false, q.String()
			}
		}
		j, _ = q.byPath(big.path)
		return j.State == "paused", q.String()
	})
	// The receiver's copy stops growing: once still for a second, it must
	// stay still for two more.
	var held int64
	poll("the receiver's copy to stop growing", 15*time.Second, func() (bool, string) {
		a := fileSize(work)
		time.Sleep(time.Second)
		b := fileSize(work)
		held = b
		return a == b && a > 0, fmt.Sprintf("%d then %d bytes", a, b)
	})
	j0, _ := f.queue().byPath(big.path)
	time.Sleep(2 * time.Second)
	if now := fileSize(work); now != held {
		fatalf("paused, the receiver's copy of %s still grows: %d then %d bytes", filepath.Base(big.path), held, now)
	}
	jp, _ := f.queue().byPath(big.path)
	if jp.State != "paused" || jp.Offset != j0.Offset {
		fatalf("paused, the job moved in 2 s: %s, then %s (the receiver holds %d)", j0, jp, held)
	}
	if jp.Offset != held {
		fmt.Printf("note: paused, the queue says %d bytes sent, the receiver holds %d\n", jp.Offset, held)
	}
	status := trayStatus(s)
	ok("tray Pause all: %s paused at %.1f MiB, the receiver's copy held %d bytes for 2 s (tray: %q)",
		filepath.Base(big.path), float64(jp.Offset)/MiB, held, status)

	// Resume all: everything finishes, byte for byte.
	if err := trayClick(s.bus, "Resume all"); err != nil {
		fatalf("clicking Resume all in the tray: %v", err)
	}
	poll("the big file to upload again", 20*time.Second, func() (bool, string) {
		j, _ := f.queue().byPath(big.path)
		return (j.State == "uploading" && fileSize(work) > held) || j.State == "done", j.String()
	})
	var total int64
	for _, sf := range dropped {
		total += sf.size
	}
	f.waitDone(dropped, uploadTimeout(total, rate))
	f.checkArrived(dropped)
	want := names(dropped)
	if got := received(f.recv); !slices.Equal(got, want) {
		fatalf("the receive folder holds %q, want exactly %q (hidden and temporary files must not arrive)", got, want)
	}
	if q = f.queue(); len(q) != len(dropped) {
		fatalf("the queue has %d jobs after the drop finished, want %d: %s", len(q), len(dropped), q)
	}
	if n := uploadsCreated(f.recv); n != len(dropped) {
		fatalf("the receiver created %d uploads for %d files", n, len(dropped))
	}
	ok("tray Resume all: all %d dropped files arrived in ~/Ferry/Received, SHA-256 identical; exactly %d files there (no .x.mp4, no y.mp4.part), %d uploads created", len(dropped), len(want), len(dropped))
	s.notes.expect("the notification at the end of the drop", note{summary: "Uploads finished", body: "4 files uploaded."})
	ok("one notification for the whole drop: \"Uploads finished\" / \"4 files uploaded.\"")

	// A second ferry hands a file to the running window.
	out, errOut, code, took := f.ferry(60*time.Second, "--data-dir", f.data, handed.path)
	if code != 0 {
		fatalf("a second `ferry FILE` exited %d in %.1fs\nstdout: %s\nstderr: %s", code, took.Seconds(), out, errOut)
	}
	if took > 10*time.Second {
		fatalf("a second `ferry FILE` took %.1fs to hand the file over (want a few seconds)", took.Seconds())
	}
	f.waitDone([]srcFile{handed}, uploadTimeout(handed.size, rate))
	f.checkArrived([]srcFile{handed})
	s.notes.expect("the notification for the handed file", note{summary: "Uploads finished", body: "1 file uploaded."})
	ok("a second `ferry FILE` exited 0 in %.2fs (%q); the file was queued and arrived identical; notified", took.Seconds(), strings.TrimSpace(out))

	// SIGTERM mid-upload; the next start resumes the same upload.
	out, errOut, code, _ = f.ferry(60*time.Second, "--data-dir", f.data, quitter.path)
	if code != 0 {
		fatalf("`ferry %s` exited %d: %s%s", quitter.path, code, out, errOut)
	}
	j = f.waitJob(quitter.path, "uploading with 8 MiB sent", 90*time.Second, func(j job) bool {
		return j.State == "uploading" && j.Offset >= 8*MiB && j.URL != ""
	})
	urlBefore := j.URL
	work = filepath.Join(f.recv, ".ferry-incoming", uploadID(j.URL))
	tookQuit, exit := f.sigterm(30 * time.Second)
	if tookQuit > 5*time.Second {
		fatalf("ferry took %.1fs to exit after SIGTERM mid-upload (want at most 5 s)", tookQuit.Seconds())
	}
	if exit != 0 {
		fatalf("ferry exited %d after SIGTERM (want 0: a clean quit)", exit)
	}
	kept := fileSize(work)
	if kept <= 0 {
		fatalf("after SIGTERM the receiver has nothing of %s at %s", filepath.Base(quitter.path), work)
	}
	if exists(filepath.Join(f.data, "ferry.sock")) {
		fmt.Println("note: the control socket ferry.sock is still in the data dir after a clean quit")
	}
	ok("SIGTERM mid-upload (%.1f MiB of 64 sent): ferry exited 0 in %.2fs; the receiver kept %.1f MiB", float64(j.Offset)/MiB, tookQuit.Seconds(), float64(kept)/MiB)

	f.openWindow("--limit-rate", rateFlag)
	ok("the window opens again on the same data dir: shows after %.1fs, answers ferry queue after %.1fs", f.shown.Seconds(), f.answered.Seconds())
	minSeen := int64(-1)
	j = f.waitJob(quitter.path, "done after the restart", uploadTimeout(quitter.size, rate), func(j job) bool {
		if j.URL != "" && j.URL != urlBefore {
			fatalf("after the restart %s has upload URL %s, before it was %s: it started again instead of resuming", filepath.Base(quitter.path), j.URL, urlBefore)
		}
		if n := fileSize(work); n >= 0 {
			if n < kept {
				fatalf("after the restart the receiver's copy shrank from %d to %d bytes: sent again from the start?", kept, n)
			}
			if minSeen < 0 || n < minSeen {
				minSeen = n
			}
		}
		return j.State == "done"
	})
	if j.URL != urlBefore {
		fatalf("after the restart %s has upload URL %q, before it was %q", filepath.Base(quitter.path), j.URL, urlBefore)
	}
	all := slices.Concat(dropped, []srcFile{handed, quitter})
	f.checkArrived([]srcFile{quitter})
	if got, want := received(f.recv), names(all); !slices.Equal(got, want) {
		fatalf("the receive folder holds %q, want exactly %q (nothing received twice)", got, want)
	}
	q = f.waitDone(all, time.Minute)
	if len(q) != len(all) {
		fatalf("the queue has %d jobs, want %d (one per file): %s", len(q), len(all), q)
	}
	if n := uploadsCreated(f.recv); n != len(all) {
		fatalf("the receiver created %d uploads for %d files: the restart created a new one?", n, len(all))
	}
	s.notes.expect("the notification after the restart", note{summary: "Uploads finished", body: "1 file uploaded."})
	ok("after the restart the upload resumed on the same URL (receiver never below the %.1f MiB it had) and finished identical; %d jobs, %d files received, none twice, one upload each; notified",
		float64(kept)/MiB, len(q), len(all))

	// Quit from the tray menu (Fyne's own item).
	f.window.expect = true
	start := time.Now()
	if err := trayClick(s.bus, "Quit"); err != nil {
		fatalf("clicking Quit in the tray: %v", err)
	}
	select {
	case <-f.window.done:
	case <-time.After(30 * time.Second):
		fatalf("ferry did not exit within 30 s of the tray's Quit")
	}
	if took := f.window.endedAt.Sub(start); f.window.exitCode() != 0 || took > 5*time.Second {
		fatalf("tray Quit: ferry exited %s after %.1fs", f.window.describeExit(), took.Seconds())
	}
	ok("tray Quit: ferry exited 0 in %.2fs", f.window.endedAt.Sub(start).Seconds())
}

// trayStatus is the tray menu's status line (its disabled entry).
func trayStatus(s *stage) string {
	labels, err := trayLabels(s.bus)
	if err != nil {
		return err.Error()
	}
	for _, l := range labels {
		if strings.HasSuffix(l, " (disabled)") {
			return strings.TrimSuffix(l, " (disabled)")
		}
	}
	return ""
}

func names(files []srcFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, filepath.Base(f.path))
	}
	slices.Sort(out)
	return out
}
