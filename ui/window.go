// Package ui is Ferry's window: a view of the engine. It renders
// snapshots and events and sends commands; it never changes a job itself.
// It never imports fyne.io/fyne/v2/app (cgo, GL): the app package makes
// the fyne.App, so these widgets are tested with Fyne's test driver.
package ui

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch"
)

// Options wire a window to its engine and to the process around it.
type Options struct {
	Engine *engine.Engine
	// Dest is where files go this run when --to named a URL or a saved
	// destination; zero: the saved default.
	Dest engine.Destination
	// Concurrency and RateLimit are --concurrency and --limit-rate: they
	// apply to this run over the saved settings (0 / -1: not given).
	Concurrency int
	RateLimit   int64
	// NeedDest is called before files go to a saved destination: it
	// starts a built-in receiver, for one.
	NeedDest func(name string) error
	// KeychainNote says where secrets are kept when there is no system
	// keychain ("" when there is one).
	KeychainNote string
	// Awake holds the computer awake while uploads run (nil: never).
	Awake Awake
	// Autostart is the login item ("" note: supported).
	Autostart Autostart
	// Frames runs the redraw ticker; tests leave it off and call frame.
	Frames bool
	// Quit ends the process cleanly (the app's quit); nil: app.Quit.
	Quit func()
	// TrayHost says whether a tray shows our icon (nil: assume so).
	TrayHost func() bool
	// Watcher runs the watch folders (nil: no Watch folders view).
	Watcher *watch.Watcher
}

// Awake is internal/awake's Inhibitor, as the window uses it.
type Awake interface{ Hold(on bool) error }

// Autostart is internal/autostart's entry, as the window uses it.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}

// Window is Ferry's main window.
type Window struct {
	app   fyne.App
	win   fyne.Window
	eng   *engine.Engine
	opts  Options
	m     *model
	prefs Prefs

	list    *queueList
	tabs    [numViews]*widget.Button
	search  *widget.Entry
	dest    *widget.Select
	where   *widget.Label
	banner  *widget.Label // the queue is halted: why
	status  *widget.Label // the last add's outcome
	slow    *widget.Button
	empty   fyne.CanvasObject
	footer  *footer
	current view
	watch   *watchView     // nil without a watcher
	watchB  *widget.Button // the Watch folders tab
	inWatch bool           // the Watch folders view is shown

	selected string    // the selected job's id
	saidAt   time.Time // when the status line was set
	tray     *tray
	notes    *notifier

	posted    []func() // work for the UI goroutine, run by the next frame
	postMu    sync.Mutex
	inFlight  atomic.Bool // a frame waits for the UI goroutine
	ticking   atomic.Bool // something on screen moves by the second
	kick      chan struct{}
	stats     Stats // guarded by postMu
	stop      chan struct{}
	stopped   sync.WaitGroup
	awakeWant bool      // what holdAwake last asked for
	awakeC    chan bool // to keepAwake
	nowFunc   func() time.Time
}

// New builds the window over a (Fyne's app, or the test driver's).
func New(a fyne.App, o Options) *Window {
	w := &Window{app: a, eng: o.Engine, opts: o, m: newModel(), stop: make(chan struct{}), kick: make(chan struct{}, 1), nowFunc: time.Now, awakeC: make(chan bool, 1)}
	if o.Awake != nil {
		w.stopped.Add(1)
		go w.keepAwake()
	}
	w.prefs = LoadPrefs(w.eng)
	w.win = a.NewWindow("Ferry")
	w.win.SetIcon(AppIcon())
	w.notes = newNotifier(w)
	w.tray = newTray(w)
	w.build()
	w.win.Resize(fyne.NewSize(1040, 720))
	w.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.Drop(uris) })
	w.win.SetCloseIntercept(w.closeRequested)
	w.applyPrefs(w.prefs, true)
	w.m.reset(w.eng.Snapshot())
	w.startPump()
	if w.watch != nil {
		w.watch.follow()
	}
	w.frame(true)
	return w
}

// Window is the Fyne window, for the app to show.
func (w *Window) Window() fyne.Window { return w.win }

// Show brings the window forward (the tray, a second `ferry`).
func (w *Window) Show() {
	w.win.Show()
	w.win.RequestFocus()
}

// Close stops the event pump and the ticker; the app closes the engine.
func (w *Window) Close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.stopped.Wait()
}

func (w *Window) now() time.Time { return w.nowFunc() }

func (w *Window) build() {
	addFiles := widget.NewButtonWithIcon("Add files…", theme.FileIcon(), w.addFilesDialog)
	addFolder := widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), w.addFolderDialog)
	pauseAll := widget.NewButtonWithIcon("Pause all", theme.MediaPauseIcon(), func() { w.eng.PauseAll() })
	resumeAll := widget.NewButtonWithIcon("Resume all", theme.MediaPlayIcon(), func() { w.eng.ResumeAll() })
	w.slow = widget.NewButton("Slow mode", w.toggleSlow)
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), w.openSettings)
	w.dest = widget.NewSelect(nil, w.destChosen)
	w.dest.PlaceHolder = "Choose a destination"
	w.refreshDests()
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(addFiles, addFolder, widget.NewSeparator(), pauseAll, resumeAll, w.slow),
		container.NewHBox(widget.NewLabel("To"), w.dest, settings))

	w.where = widget.NewLabel("")
	w.where.Wrapping = fyne.TextWrapWord
	w.where.SizeName = theme.SizeNameCaptionText
	w.banner = widget.NewLabel("")
	w.banner.Importance = widget.DangerImportance
	w.banner.Wrapping = fyne.TextWrapWord
	w.banner.Hide()
	w.showWhere()

	for v := range numViews {
		w.tabs[v] = widget.NewButton(viewNames[v], func() { w.setView(v) })
	}
	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Search by name  (Ctrl+F)")
	w.search.OnChanged = func(string) { w.m.filter(w.current, w.search.Text); w.frame(false) }
	tabs := container.NewHBox()
	for _, b := range w.tabs {
		tabs.Add(b)
	}
	center := container.NewStack()
	if w.opts.Watcher != nil {
		w.watch = newWatchView(w, w.opts.Watcher)
		w.watchB = widget.NewButtonWithIcon("Watch folders", theme.FolderIcon(), func() { w.showWatch(true) })
		w.watchB.Importance = widget.LowImportance
		tabs.Add(widget.NewSeparator())
		tabs.Add(w.watchB)
		center.Add(w.watch.content)
		w.watch.content.Hide()
	}
	filterBar := container.NewBorder(nil, nil, tabs, nil, w.search)

	w.list = newQueueList(w)
	hint := widget.NewLabelWithStyle("Drop videos or folders here, or use Add files…", fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Importance = widget.LowImportance
	w.empty = container.NewCenter(container.NewVBox(
		container.NewCenter(widget.NewIcon(theme.UploadIcon())), hint))
	w.status = widget.NewLabel("")
	w.status.Truncation = fyne.TextTruncateEllipsis
	w.status.SizeName = theme.SizeNameCaptionText
	w.footer = newFooter()

	top := container.NewVBox(toolbar, w.where, w.banner, filterBar, widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), w.footer, w.status)
	center.Objects = append([]fyne.CanvasObject{w.list, w.empty}, center.Objects...)
	w.win.SetContent(container.NewBorder(top, bottom, nil, nil, center))
	w.setView(viewAll)
	w.shortcuts()
}

// showWatch switches between the queue and the Watch folders view.
func (w *Window) showWatch(on bool) {
	if w.watch == nil {
		return
	}
	w.inWatch = on
	if on {
		w.list.Hide()
		w.empty.Hide()
		w.search.Hide()
		w.watch.content.Show()
		w.watchB.Importance = widget.HighImportance
		for _, b := range w.tabs {
			b.Importance = widget.LowImportance
			b.Refresh()
		}
	} else {
		w.watch.content.Hide()
		w.search.Show()
		w.list.Show()
		w.watchB.Importance = widget.LowImportance
	}
	w.watchB.Refresh()
	w.totalsChanged()
}

// showWatchCount puts the number of watch folders on their tab.
func (w *Window) showWatchCount(n int) {
	if w.watchB != nil {
		w.watchB.SetText(fmt.Sprintf("Watch folders  %d", n))
	}
}

// setView switches the tab.
func (w *Window) setView(v view) {
	if w.inWatch {
		w.showWatch(false)
	}
	w.current = v
	for i, b := range w.tabs {
		if view(i) == v {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
	w.m.filter(v, w.search.Text)
	w.list.UnselectAll()
	w.frame(false)
}

// startPump follows the engine's events into the model and, when asked,
// runs the frame ticker: at most 10 redraws a second, none when nothing
// changed.
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
				if sub.Missed() {
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
			w.status.SetText("")
		}
		if w.inWatch { // settling files count down without events
			w.watch.refresh()
		}
	}
	defer func() {
		w.ticking.Store(w.m.hasWaiting() || w.footer.graph.max() > 0 || w.status.Text != "" || w.tray.behind() || w.inWatch)
	}()
	if f.empty && !second {
		return
	}
	if f.relist {
		w.noteRows(w.m.length())
		w.list.Refresh()
	} else {
		for _, i := range f.rows {
			w.list.RefreshItem(i)
		}
	}
	if f.totals || f.relist || (second && w.tray.behind()) {
		w.totalsChanged()
	}
}

// post hands fn to the UI goroutine: the next frame runs it. Every
// goroutine of the window comes back this way, so Fyne's test driver
// (which runs fyne.Do on the caller's goroutine) sees no races and tests
// drive frames themselves.
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
	for v, b := range w.tabs {
		b.SetText(fmt.Sprintf("%s  %d", viewNames[v], counts[v]))
	}
	if w.m.length() == 0 && counts[viewAll] == 0 && !w.inWatch {
		w.empty.Show()
	} else {
		w.empty.Hide()
	}
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
				w.post(func() { w.say(err.Error()) })
			}
		}
	}
}

// do runs an engine command on a job and shows its refusal, if any.
func (w *Window) do(fn func(...string) error, ids ...string) {
	if err := fn(ids...); err != nil {
		w.say(err.Error())
	}
}

// copyLink puts a done job's link on the clipboard.
func (w *Window) copyLink(id string) {
	j, ok := w.m.job(id)
	if !ok || shareable(j) == "" {
		return
	}
	w.app.Clipboard().SetContent(shareable(j))
	w.m.markCopied(id)
	w.frame(false)
}

func (w *Window) copyText(what, text string) {
	w.app.Clipboard().SetContent(text)
	w.say(what + " copied.")
}

// rowMenu shows everything a job offers in its state.
func (w *Window) rowMenu(id string, at fyne.CanvasObject) {
	j, ok := w.m.job(id)
	if !ok {
		return
	}
	var items []*fyne.MenuItem
	item := func(label string, fn func()) { items = append(items, fyne.NewMenuItem(label, fn)) }
	switch j.State {
	case engine.Queued, engine.Uploading, engine.Waiting:
		item("Pause", func() { w.do(w.eng.Pause, id) })
		item("Cancel", func() { w.do(w.eng.Cancel, id) })
	case engine.Paused:
		item("Resume", func() { w.do(w.eng.Resume, id) })
		item("Cancel", func() { w.do(w.eng.Cancel, id) })
	case engine.Failed, engine.Cancelled:
		item("Retry", func() { w.do(w.eng.Retry, id) })
	}
	if j.State == engine.Done {
		if l := shareable(j); l != "" {
			item("Copy link", func() { w.copyLink(id) })
		}
		if j.MediaID != "" {
			item("Copy media ID", func() { w.copyText("Media ID", j.MediaID) })
		}
	}
	if fix := fixLabel(j); fix != "" {
		item(fix+"…", func() { w.fixFor(id) })
	}
	item("Open containing folder", func() { w.openFolder(j.Path) })
	if !j.State.Active() && j.State != engine.Paused {
		item("Remove from list", func() { w.do(w.eng.Remove, id) })
	}
	menu := fyne.NewMenu("", items...)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(at)
	widget.ShowPopUpMenuAtPosition(menu, w.win.Canvas(), pos.Add(fyne.NewPos(0, at.Size().Height)))
}

// fixFor runs the action a job's error calls for.
func (w *Window) fixFor(id string) {
	j, ok := w.m.job(id)
	if !ok {
		return
	}
	switch j.ErrorCode {
	case engine.CodeFileGone:
		w.openFolder(j.Path)
	default:
		w.manageDestinations(j.Dest.Name)
	}
}

// openFolder shows the folder that holds path in the file manager.
func (w *Window) openFolder(path string) {
	u, err := fileURL(filepath.Dir(path))
	if err == nil {
		err = w.app.OpenURL(u)
	}
	if err != nil {
		w.say(fmt.Sprintf("Cannot open %s: %v", filepath.Dir(path), err))
	}
}

// closeRequested: the window's close button. With a tray, the window
// hides and uploads go on; without one nothing is left running unseen.
func (w *Window) closeRequested() {
	t, _ := w.m.queueTotals()
	if w.prefs.CloseToTray && w.tray.available() {
		w.win.Hide()
		return
	}
	if t.FilesLeft-t.Count(engine.Paused) == 0 {
		w.quit()
		return
	}
	dialog.ShowConfirm("Quit Ferry?",
		fmt.Sprintf("%d files are still uploading. They pause now and resume when you start Ferry again.", t.FilesLeft),
		func(ok bool) {
			if ok {
				w.quit()
			}
		}, w.win)
}

// quit ends Ferry; the app pauses the engine cleanly on its way out.
func (w *Window) quit() {
	if w.opts.Quit != nil {
		w.opts.Quit()
		return
	}
	w.app.Quit()
}

func (w *Window) showError(err error) { dialog.ShowError(err, w.win) }

// say shows a line under the footer; it goes after a while.
func (w *Window) say(text string) {
	w.status.SetText(text)
	w.saidAt = w.now()
}

// statusLife is how long say's line stays.
const statusLife = 15 * time.Second
