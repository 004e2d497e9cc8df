package receiver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
)

const (
	// DefaultExpireIdle is how long an unfinished upload may sit idle before
	// it is removed (Config.ExpireIdle, ferry serve --expire-idle).
	DefaultExpireIdle = 24 * time.Hour
	// keepDone is how long the small records of a placed upload (.info and
	// .done, not its data) stay at least, so a client that crashed can
	// still HEAD it and hear "complete" (see doneExpired).
	keepDone = 7 * 24 * time.Hour
	// keepGone is how long a placed upload's id is remembered after its
	// records go (an empty .gone file), so a creation repeated that late
	// with its Ferry-Upload-Id is refused instead of placing the file twice.
	keepGone = 365 * 24 * time.Hour
	// orphanAge: a data file without .info younger than this may be a
	// creation in progress (filestore writes the data file first).
	orphanAge = time.Minute
)

// sweepEvery is how often the work folder is tidied while running.
func sweepEvery(idle time.Duration) time.Duration {
	if idle <= 0 {
		return 10 * time.Minute
	}
	return min(max(idle/10, 100*time.Millisecond), 10*time.Minute)
}

// sweepLoop tidies the work folder until stop is closed.
func (s *Server) sweepLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(sweepEvery(s.expireIdle))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.tidy(false)
		}
	}
}

// tidy walks the work folder: it removes leftovers and uploads idle for
// longer than ExpireIdle, places uploads that completed but were never
// placed (a crash, or a failed save), and forgets placed uploads when
// doneExpired, and their ids after keepGone. At startup it also learns
// what unfinished uploads still owe.
func (s *Server) tidy(startup bool) {
	entries, err := os.ReadDir(s.work)
	if err != nil {
		return
	}
	infos := map[string]bool{}
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".info"); ok {
			infos[id] = true
		}
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(s.work, name)
		switch {
		case strings.HasSuffix(name, copySuffix), strings.HasSuffix(name, tmpSuffix), strings.HasPrefix(name, ".ferry-probe-"):
			if startup {
				os.Remove(path)
			}
		case strings.HasSuffix(name, doneSuffix):
			if !infos[strings.TrimSuffix(name, doneSuffix)] { // terminated
				os.Remove(path)
			}
		case strings.HasSuffix(name, goneSuffix):
			if olderThan(path, keepGone) {
				os.Remove(path)
			}
		case strings.HasSuffix(name, ".info"):
			s.tidyUpload(strings.TrimSuffix(name, ".info"), startup)
		case ownID(name) && !infos[name] && olderThan(path, orphanAge):
			os.Remove(path) // a creation that failed before writing .info
		}
	}
}

func (s *Server) tidyUpload(id string, startup bool) {
	if !ownID(id) {
		return
	}
	ctx := context.Background()
	up, err := s.store.GetUpload(ctx, id)
	if err != nil {
		// Its data is gone (deleted by hand): drop the record in time.
		if olderThan(s.store.infoPath(id), keepDone) && s.track.claim(id) {
			s.store.remove(id)
			s.track.unclaim(id)
		}
		return
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return
	}
	if up.(*stored).done != nil {
		if s.doneExpired(s.store.donePath(id)) && s.track.claim(id) {
			s.store.forget(id) // on failure the records stay for the next sweep
			s.track.unclaim(id)
		}
		return
	}
	complete := !info.SizeIsDeferred && info.Offset == info.Size
	if info.IsFinal && complete {
		// Assembled: parts a stop left behind go (they would make the
		// file again for a client retrying its final POST).
		for _, part := range info.PartialUploads {
			if ownID(part) && s.track.claim(part) {
				s.store.remove(part)
				s.track.unclaim(part)
			}
		}
	}
	if info.IsFinal && !complete && startup {
		// Stopped while assembling: it can never be resumed, and its
		// parts are still there for the client's retry.
		s.store.remove(id)
		return
	}
	if complete && !info.IsPartial {
		s.publish(info, "") // logs its own failure; the data stays for the next try
		return
	}
	if startup && !complete {
		s.track.pend(id, info.Size)
	}
	if s.expireIdle <= 0 || !olderThan(s.store.path(id), s.expireIdle) || !olderThan(s.store.infoPath(id), s.expireIdle) {
		return
	}
	if !s.track.claim(id) {
		return // a request is running: not idle
	}
	defer s.track.unclaim(id)
	if err := s.store.remove(id); err != nil {
		s.logf("could not remove the idle upload %s: %s", label(info), fault.Cause(err))
		return
	}
	what := units.Size(info.Offset) + " of " + units.Size(info.Size)
	if info.IsPartial {
		what = "a part of a parallel upload"
	} else if info.SizeIsDeferred {
		what = units.Size(info.Offset) + ", size unknown"
	}
	s.logf("removed %s: idle for over %s (%s received)", label(info), shortDuration(s.expireIdle), what)
}

// doneExpired reports whether a placed upload, marked at path, has been
// remembered long enough: keepDone, or ExpireIdle if longer, since a client
// that may still resume an unfinished upload may also still ask whether a
// finished one arrived; never when unfinished uploads never expire.
func (s *Server) doneExpired(path string) bool {
	return s.expireIdle > 0 && olderThan(path, max(keepDone, s.expireIdle))
}

func olderThan(path string, d time.Duration) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) > d
}

// shortDuration writes 24h, not 24h0m0s.
func shortDuration(d time.Duration) string {
	t := d.String()
	if strings.HasSuffix(t, "m0s") {
		t = strings.TrimSuffix(t, "0s")
	}
	if strings.HasSuffix(t, "h0m") {
		t = strings.TrimSuffix(t, "0m")
	}
	return t
}
