package ui

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/units"
)

// stateLine says in words where a job is, as its row shows it.
func stateLine(j engine.Job, now time.Time, copied bool) string {
	switch j.State {
	case engine.Queued:
		if j.Reason != "" {
			return "Queued — " + j.Reason
		}
		return "Queued"
	case engine.Uploading:
		if j.Reason != "" {
			// Reconnecting: the bar holds until the server says how much it has.
			return fmt.Sprintf("%s — %s", strings.TrimSuffix(j.Reason, "."), percent(j.Progress()))
		}
		return fmt.Sprintf("Uploading — %s", percent(j.Progress()))
	case engine.Waiting:
		why := strings.TrimSuffix(j.Reason, ".")
		if why == "" {
			why = "Waiting"
		}
		if d := j.NextTry.Sub(now); !j.NextTry.IsZero() && d > 0 {
			return fmt.Sprintf("%s — retrying in %s", why, seconds(d))
		}
		return why
	case engine.Paused:
		return fmt.Sprintf("Paused at %s", percent(j.Progress()))
	case engine.Done:
		s := "Done"
		if j.Already {
			s = "Already uploaded — nothing sent"
		}
		if copied {
			s += " — link copied"
		}
		return s
	case engine.Failed:
		if j.Error == "" {
			return "Failed"
		}
		// The file's name, not its whole path: the reason after it must
		// stay in view on a row.
		return "Failed: " + strings.ReplaceAll(j.Error, j.Path, filepath.Base(j.Path))
	case engine.Cancelled:
		return "Cancelled"
	}
	return j.State.String()
}

// detailLine is a row's figures: "1.2 GB of 3.4 GB · 12 MB/s · 3 min left".
func detailLine(j engine.Job) string {
	parts := []string{size(j.Size)}
	if j.State != engine.Done && j.Offset > 0 {
		parts[0] = size(j.Offset) + " of " + size(j.Size)
	}
	if j.State == engine.Uploading && j.Speed > 0 {
		parts = append(parts, rate(j.Speed))
		if j.ETA > 0 {
			parts = append(parts, left(j.ETA))
		}
	}
	if j.State == engine.Done && !j.Finished.IsZero() {
		parts = append(parts, j.Finished.Local().Format("Jan 2 15:04"))
	}
	return strings.Join(parts, " · ")
}

// resultLine is what a finished job left on the server: its link or media
// id, for the history.
func resultLine(j engine.Job) string {
	switch {
	case j.State != engine.Done:
		return ""
	case j.Link != "":
		return j.Link
	case j.MediaID != "":
		return "Media ID " + j.MediaID
	case j.Dest.Provider().Served && j.Dest.Dir != "":
		return "received in " + tilde(j.Dest.Dir)
	default:
		return j.UploadURL
	}
}

// shareable is what "Copy link" copies.
func shareable(j engine.Job) string {
	if j.Link != "" {
		return j.Link
	}
	return j.UploadURL
}

// destLabel names a job's destination: its saved name, or its host.
func destLabel(d engine.Destination) string {
	if d.Name != "" {
		return d.Name
	}
	if u, err := url.Parse(d.URL); err == nil {
		return u.Host
	}
	return ""
}

// tilde shortens a path in the home folder to ~/…, as Unix users write
// it; Windows users know no "~", and see the whole path.
func tilde(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || runtime.GOOS == "windows" {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join("~", rel)
	}
	return path
}

// size and rate are in SI units, as everywhere in Ferry (internal/units).
func size(n int64) string { return units.Size(n) }

func rate(bps float64) string { return units.Rate(bps) }

func percent(f float64) string { return fmt.Sprintf("%d %%", int(f*100)) }

func seconds(d time.Duration) string {
	return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
}

// left is an ETA a person reads at a glance.
func left(d time.Duration) string {
	switch {
	case d < time.Minute:
		return seconds(d) + " left"
	case d < time.Hour:
		return fmt.Sprintf("%d min left", int(d.Round(time.Minute)/time.Minute))
	default:
		h := int(d / time.Hour)
		return fmt.Sprintf("%d h %d min left", h, int((d-time.Duration(h)*time.Hour)/time.Minute))
	}
}

// summary is the queue in a few words, for the title and the tray.
func summary(t engine.Totals) string {
	up := t.Count(engine.Uploading)
	switch {
	case up > 0:
		return fmt.Sprintf("%d uploading", up)
	case t.Count(engine.Waiting) > 0:
		return fmt.Sprintf("%d waiting", t.Count(engine.Waiting))
	case t.Count(engine.Queued) > 0:
		return fmt.Sprintf("%d queued", t.Count(engine.Queued))
	case t.Count(engine.Paused) > 0:
		return fmt.Sprintf("%d paused", t.Count(engine.Paused))
	}
	return ""
}
