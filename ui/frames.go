package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ferry-app/ferry/engine"
)

// startPump follows the engine's events into the model and, when asked
// (Options.Frames), runs the frame loop.
func (w *Window) startPump() {
	sub := w.eng.Subscribe(engine.AllEvents, 4096)
	// Events up to the snapshot taken in New are dropped by the model's
	// sequence check; anything missed since resyncs.
	w.m.reset(w.eng.Snapshot())
	w.stopped.Add(1)
	go func() {
		defer w.stopped.Done()
		defer sub.Close()
		for {
			select {
			case <-w.stop:
				return
			case ev, ok := <-sub.C:
				if !ok {
					return
				}
				if sub.Missed() > 0 {
					w.m.reset(w.eng.Snapshot())
					w.wake()
					continue
				}
				w.m.apply(ev)
				w.notes.event(ev)
				w.wake()
			}
		}
	}()
	if !w.opts.Frames {
		return
	}
	w.stopped.Add(1)
	go w.frames()
}

// Frame pacing: a change of state (a job added, done, failed; posted
// work) is drawn within fastFrame; progress and totals alone once a
// second, as in Transmission: every frame repaints the whole window, which
// software rendering pays for in CPU.
const (
	fastFrame = 100 * time.Millisecond
	slowFrame = time.Second
)

// frames wakes the UI goroutine when there is something to draw, and
// never otherwise: an idle window gets no frames at all.
func (w *Window) frames() {
	defer w.stopped.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var last, lastSecond time.Time
	for {
		select {
		case <-w.stop:
			return
		case <-w.kick:
		case <-timer.C:
		}
		gap := slowFrame
		if w.urgent() {
			gap = fastFrame
		}
		if wait := gap - time.Since(last); wait > 0 {
			timer.Reset(wait)
			continue
		}
		second := time.Since(lastSecond) >= slowFrame
		if !second && !w.pending() {
			continue
		}
		// A frame the UI goroutine has not run yet is not queued
		// again: a busy UI gets fewer frames, not a pile.
		if !w.inFlight.CompareAndSwap(false, true) {
			timer.Reset(fastFrame)
			continue
		}
		last = time.Now()
		if second {
			lastSecond = last
		}
		asked := last
		fyne.Do(func() {
			w.noteStall(time.Since(asked))
			w.inFlight.Store(false)
			w.frame(second)
		})
		if w.ticking.Load() || w.pending() {
			timer.Reset(slowFrame)
		}
	}
}

// wake tells the frame loop something changed.
func (w *Window) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// urgent: what waits to be drawn is more than progress.
func (w *Window) urgent() bool {
	w.postMu.Lock()
	n := len(w.posted)
	w.postMu.Unlock()
	return n > 0 || w.m.urgentChange()
}

// frame redraws what changed since the last one. second: a second
// passed (countdowns, the speed graph). Runs on the UI goroutine.
func (w *Window) frame(second bool) {
	w.postMu.Lock()
	posted := w.posted
	w.posted = nil
	w.postMu.Unlock()
	for _, fn := range posted {
		fn()
	}
	f := w.m.take(second)
	if second {
		t, _ := w.m.queueTotals()
		w.footer.sample(t.Speed)
		if w.status.Text != "" && w.now().Sub(w.saidAt) > statusLife {
			w.say("")
		}
		w.expireUndo()
		if w.inWatch { // settling files count down without events
			w.watch.refresh()
		}
	}
	defer func() {
		w.ticking.Store(w.m.hasWaiting() || w.footer.graph.max() > 0 || w.status.Text != "" || w.tray.behind() || w.inWatch || w.undo != nil)
	}()
	if f.empty && !second {
		return
	}
	if f.relist {
		w.noteRows(w.m.length())
		w.list.Refresh()
		w.revealAdded()
	} else {
		for _, i := range f.rows {
			w.list.RefreshItem(i)
		}
	}
	if f.totals || f.relist || (second && w.tray.behind()) {
		w.totalsChanged()
	}
}

// post hands fn to the UI goroutine: the next frame runs it. The main
// window's goroutines come back this way (the dialogs' own use fyne.Do),
// so Fyne's test driver (which runs fyne.Do on the caller's goroutine)
// sees no races and tests drive frames themselves.
func (w *Window) post(fn func()) {
	w.postMu.Lock()
	w.posted = append(w.posted, fn)
	w.postMu.Unlock()
	w.wake()
}

// pending says whether a frame has anything to do.
func (w *Window) pending() bool {
	w.postMu.Lock()
	n := len(w.posted)
	w.postMu.Unlock()
	return n > 0 || w.m.pending()
}

// totalsChanged redraws what depends on the queue as a whole.
func (w *Window) totalsChanged() {
	t, halted := w.m.queueTotals()
	w.footer.show(t)
	counts := w.m.counts()
	labels := make([]string, numViews)
	for v, b := range w.tabs {
		labels[v] = fmt.Sprintf("%s  %d", viewNames[v], counts[v])
		b.SetText(labels[v])
	}
	if !slices.Equal(w.viewSel.Options, labels) {
		w.viewSel.Options = labels
		w.syncing = true // the view shown: no callback
		w.viewSel.SetSelectedIndex(int(w.current))
		w.syncing = false
	}
	w.empty.update(w.m.length(), counts)
	w.selBar.update(w.m.selected())
	title := "Ferry"
	if s := summary(t); s != "" {
		title += " — " + s
	}
	if w.win.Title() != title {
		w.win.SetTitle(title)
	}
	if halted != nil {
		w.banner.SetText("Uploads are stopped: " + halted.Error())
		w.banner.Show()
	} else if w.banner.Visible() {
		w.banner.Hide()
	}
	w.tray.update(t, halted, w.m.batchDone())
	w.holdAwake(t)
}

// holdAwake keeps the computer awake while something uploads or is
// about to, and lets it go when the queue is idle or paused. The D-Bus
// call may take a while: a goroutine makes it, latest wish first.
func (w *Window) holdAwake(t engine.Totals) {
	if w.opts.Awake == nil {
		return
	}
	busy := t.Count(engine.Uploading)+t.Count(engine.Waiting)+t.Count(engine.Queued) > 0
	want := busy && w.prefs.KeepAwake
	if want == w.awakeWant {
		return
	}
	w.awakeWant = want
	select {
	case <-w.awakeC: // an older wish not yet acted on
	default:
	}
	w.awakeC <- want
}

// keepAwake acts on holdAwake's wishes until the window closes.
func (w *Window) keepAwake() {
	defer w.stopped.Done()
	shown := false
	for {
		select {
		case <-w.stop:
			w.opts.Awake.Hold(false)
			return
		case on := <-w.awakeC:
			if err := w.opts.Awake.Hold(on); err != nil && !shown {
				shown = true
				w.post(func() {
					w.notices.add(noteAwake, "Ferry cannot keep this computer awake while it uploads (no power manager answered), so uploads pause while it sleeps and go on when it wakes.")
				})
			}
		}
	}
}
