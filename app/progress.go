package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/units"
)

// progress shows the state of active uploads: bars on a terminal, plain
// lines otherwise.
type progress interface {
	update(active []engine.Job, t engine.Totals)
	finished(j engine.Job)
	close()
}

// newProgress picks the display for w; total is the size of every file
// it will show.
func newProgress(w io.Writer, total int64) progress {
	if isTerminal(w) {
		return newBars(w, total)
	}
	return &lines{w: w, last: map[string]lineState{}}
}

// status is a job's state in a few words.
func status(j engine.Job) string {
	switch j.State {
	case engine.Waiting:
		switch d := time.Until(j.NextTry); {
		case j.NextTry.IsZero():
			return j.Reason
		case d < time.Second:
			return j.Reason + "; retrying now"
		default:
			return fmt.Sprintf("%s; retrying in %s", j.Reason, d.Round(time.Second))
		}
	case engine.Uploading:
		switch {
		case j.Reason != "":
			return strings.ToLower(j.Reason) // reconnecting: the bar holds
		case j.Speed < 1:
			return "starting"
		}
		s := units.Rate(j.Speed)
		if j.ETA > 0 {
			s += ", " + j.ETA.Round(time.Second).String() + " left"
		}
		return s
	}
	return j.State.String()
}

// lines prints a line when a job's state changes, and its progress every
// few seconds.
type lines struct {
	w    io.Writer
	last map[string]lineState
}

type lineState struct {
	state  engine.State
	reason string
	at     time.Time
}

func (l *lines) update(active []engine.Job, _ engine.Totals) {
	for _, j := range active {
		prev := l.last[j.ID]
		switch {
		case j.State != prev.state || j.Reason != prev.reason:
			switch {
			case j.State == engine.Waiting:
				fmt.Fprintf(l.w, "waiting    %s: %s\n", j.Path, status(j))
			case j.State == engine.Uploading && j.Reason != "":
				fmt.Fprintf(l.w, "uploading  %s: %s at %s of %s\n", j.Path, status(j), units.Size(j.Offset), units.Size(j.Size))
			default:
				fmt.Fprintf(l.w, "%-10s %s (%s)\n", j.State, j.Path, units.Size(j.Size))
			}
		case j.State == engine.Uploading && time.Since(prev.at) >= 5*time.Second:
			fmt.Fprintf(l.w, "uploading  %s: %.0f%% of %s, %s\n", j.Path, 100*j.Progress(), units.Size(j.Size), status(j))
		default:
			continue
		}
		l.last[j.ID] = lineState{state: j.State, reason: j.Reason, at: time.Now()}
	}
}

func (l *lines) finished(j engine.Job) { delete(l.last, j.ID) }
func (l *lines) close()                {}

// bars draws an mpb bar per file being sent and one for the total.
type bars struct {
	p      *mpb.Progress
	total  *mpb.Bar
	mu     sync.Mutex
	bars   map[string]*mpb.Bar
	stat   sync.Map // id → status; read by mpb's render goroutine, so not under mu
	totals atomic.Value
	sent   map[string]int64 // bytes of the jobs being sent
	done   int64            // bytes of the jobs finished
}

func newBars(w io.Writer, total int64) *bars {
	b := &bars{
		p:    mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond)),
		bars: map[string]*mpb.Bar{},
		sent: map[string]int64{},
	}
	b.totals.Store(engine.Totals{})
	b.total = b.p.AddBar(max(total, 1), mpb.BarPriority(1<<30),
		mpb.PrependDecorators(decor.Name("total", decor.WC{W: 32, C: decor.DindentRight})),
		mpb.AppendDecorators(
			counters(),
			decor.Any(func(decor.Statistics) string { return "  " + overall(b.totals.Load().(engine.Totals)) })))
	return b
}

// counters are a bar's bytes, "1.2 MB / 3.4 GB", in the units the window
// uses (mpb's own SizeB1000 would write "KB" and "b").
func counters() decor.Decorator {
	return decor.Any(func(s decor.Statistics) string {
		return units.Size(s.Current) + " / " + units.Size(s.Total)
	}, decor.WC{W: 17, C: decor.DindentRight})
}

// overall is the speed and time left of everything in the queue, or,
// when no bytes move, why: as the window's footer says it.
func overall(t engine.Totals) string {
	if t.Speed < 1 {
		return t.Holdup()
	}
	s := units.Rate(t.Speed)
	if t.ETA > 0 {
		s += ", " + t.ETA.Round(time.Second).String() + " left"
	}
	return s
}

func (b *bars) update(active []engine.Job, t engine.Totals) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.totals.Store(t)
	for _, j := range active {
		b.sent[j.ID] = j.Offset
		b.stat.Store(j.ID, status(j))
		bar, ok := b.bars[j.ID]
		if !ok {
			id := j.ID
			bar = b.p.AddBar(max(j.Size, 1), mpb.BarRemoveOnComplete(),
				mpb.PrependDecorators(decor.Name(shorten(filepath.Base(j.Path), 30), decor.WC{W: 32, C: decor.DindentRight})),
				mpb.AppendDecorators(
					counters(),
					decor.Any(func(decor.Statistics) string { return "  " + b.status(id) })))
			b.bars[j.ID] = bar
		}
		bar.SetCurrent(min(j.Offset, max(j.Size, 1)))
	}
	b.updateTotal()
}

// Write prints lines above the bars, so results and errors do not tear
// the display.
func (b *bars) Write(p []byte) (int, error) { return b.p.Write(p) }

func (b *bars) status(id string) string {
	s, _ := b.stat.Load(id)
	str, _ := s.(string)
	return str
}

func (b *bars) finished(j engine.Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sent, j.ID)
	if j.State == engine.Done {
		b.done += j.Size
	} else {
		b.done += j.Offset
	}
	if bar, ok := b.bars[j.ID]; ok {
		if j.State == engine.Done {
			bar.SetTotal(max(j.Size, 1), true)
		} else {
			bar.Abort(true)
		}
		delete(b.bars, j.ID)
	}
	b.updateTotal()
}

// updateTotal: O(files being sent), however many are queued.
func (b *bars) updateTotal() {
	done := b.done
	for _, n := range b.sent {
		done += n
	}
	b.total.SetCurrent(done)
}

func (b *bars) close() {
	b.mu.Lock()
	for id, bar := range b.bars {
		bar.Abort(false)
		delete(b.bars, id)
	}
	b.mu.Unlock()
	b.total.SetTotal(-1, true)
	b.p.Wait()
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
