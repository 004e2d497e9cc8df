// Package ui is Ferry's window: a view of the engine. It renders
// snapshots and events and sends commands; it never changes a job itself.
// It never imports fyne.io/fyne/v2/app (cgo, GL): the app package makes
// the fyne.App, so these widgets are tested with Fyne's test driver.
package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	// Notes are sentences said once at start (the last run crashed and
	// left a report, …), each in a line the user can dismiss.
	Notes []string
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

	list      *queueList
	center    *fyne.Container // the list, the empty view's sentence, the watch view
	tabs      [numViews]*widget.Button
	viewSel   *widget.Select // the tabs, in a narrow window
	search    *searchEntry
	sortSel   *widget.Select
	dest      *widget.Select
	where     *widget.Label
	banner    *widget.Label // the queue is halted: why
	notices   *notices      // sentences said once (missing services, a crash)
	prefsErr  error         // the saved settings could not be read: said at start
	selBar    *selectionBar
	undoBar   *undoBar
	status    *widget.Label // the last add's outcome
	slow      *widget.Button
	slowIcon  *widget.Button // slow mode, in a narrow window
	empty     *emptyView
	footer    *footer
	current   view
	watch     *watchView      // nil without a watcher
	watchB    *widget.Button  // the Watch folders tab
	inWatch   bool            // the Watch folders view is shown
	bars      []*adaptiveBar  // the toolbar's and the tabs': wide or narrow
	ctx       context.Context // ends when the window closes (file dialogs)
	cancel    context.CancelFunc
	quitAsked bool   // the quit question is open
	picking   bool   // a native file dialog is open
	themeSet  string // the theme choice in force
	syncing   bool   // a selector is set to what is shown: no callback

	undo    *undoable // the last removal or cancel, while it can be undone
	saidAt  time.Time // when the status line was set
	tray    *tray
	notes   *notifier
	lastDir string // where the last file was picked

	reveal      []string  // jobs just added, to scroll to once they show
	revealUntil time.Time // when to stop looking for them

	posted    []func() // work for the UI goroutine, run by the next frame
	postMu    sync.Mutex
	inFlight  atomic.Bool // a frame waits for the UI goroutine
	ticking   atomic.Bool // something on screen moves by the second
	kick      chan struct{}
	stats     Stats // guarded by postMu
	stop      chan struct{}
	stopped   sync.WaitGroup
	busy      sync.WaitGroup // work off the UI goroutine (background)
	saving    sync.Mutex     // one savePrefs at a time
	toSave    sync.Mutex     // guards unsaved
	unsaved   *Prefs         // the newest settings not yet handed to a save
	awakeWant bool           // what holdAwake last asked for
	awakeC    chan bool      // to keepAwake
	nowFunc   func() time.Time
}

// New builds the window over a (Fyne's app, or the test driver's).
func New(a fyne.App, o Options) *Window {
	w := &Window{app: a, eng: o.Engine, opts: o, m: newModel(), stop: make(chan struct{}), kick: make(chan struct{}, 1), nowFunc: time.Now, awakeC: make(chan bool, 1)}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	if o.Awake != nil {
		w.stopped.Add(1)
		go w.keepAwake()
	}
	w.prefs, w.prefsErr = LoadPrefs(w.eng)
	w.m.setSort(w.prefs.Sort)
	w.lastDir = w.prefs.LastDir
	w.win = a.NewWindow("Ferry")
	w.win.SetIcon(AppIcon())
	w.notes = newNotifier(w)
	w.tray = newTray(w)
	w.build()
	w.win.Resize(fyne.NewSize(1040, 720))
	w.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.Drop(uris) })
	w.win.SetCloseIntercept(w.closeRequested)
	w.applyPrefs(w.prefs, true)
	w.startPump() // takes the first snapshot
	if w.watch != nil {
		w.watch.follow()
	}
	w.sayNotes()
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

// Close stops the event pump and the frame loop; the app closes the engine.
func (w *Window) Close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.stopped.Wait()
	w.cancel() // a file dialog still open closes
	w.busy.Wait()
	// A cancel or removal the user did not undo happens; no widget is
	// touched, the window being gone.
	if u := w.undo; u != nil {
		w.undo = nil
		if u.kind == undoRemove {
			w.eng.Remove(u.id)
		} else {
			w.eng.Cancel(u.id)
		}
	}
}

func (w *Window) now() time.Time { return w.nowFunc() }

// savePrefs keeps the window's settings as they are now (the order, the
// last folder, dismissed notes, slow mode), off the UI goroutine: a
// failure to is said, not fatal. Saves run one at a time and each takes
// the newest settings, so quick changes never end with an older one kept.
func (w *Window) savePrefs() {
	w.toSave.Lock()
	w.unsaved = &Prefs{}
	*w.unsaved = w.prefs
	w.toSave.Unlock()
	w.background(func() error {
		w.saving.Lock()
		defer w.saving.Unlock()
		w.toSave.Lock()
		p := w.unsaved
		w.unsaved = nil
		w.toSave.Unlock()
		if p == nil {
			return nil // a later save took it
		}
		return SavePrefs(w.eng, *p)
	}, func(err error) {
		if err != nil {
			w.say(err.Error())
		}
	})
}

// setCompact switches the rows between one and two lines: the list is
// made anew, its rows being templates of one height.
func (w *Window) setCompact(on bool) {
	if w.list != nil && w.list.compact == on {
		return
	}
	old := w.list
	w.list = newQueueList(w, on)
	w.center.Objects[0] = w.list
	if old != nil && !old.Visible() {
		w.list.Hide()
	}
	w.center.Refresh()
	w.frame(false)
}

func (w *Window) build() {
	w.dest = widget.NewSelect(nil, w.destChosen)
	w.dest.PlaceHolder = "Choose a destination"
	w.refreshDests()
	w.slow = widget.NewButton("Slow mode", w.toggleSlow)
	w.slowIcon = widget.NewButton("Slow", w.toggleSlow)
	toolbar := w.buildToolbar()

	w.where = widget.NewLabel("")
	w.where.Truncation = fyne.TextTruncateEllipsis
	w.where.SizeName = theme.SizeNameCaptionText
	w.banner = widget.NewLabel("")
	w.banner.Importance = widget.DangerImportance
	w.banner.Wrapping = fyne.TextWrapWord
	w.banner.Hide()
	w.notices = newNotices(w)
	w.showWhere()

	filterBar := w.buildFilterBar()
	w.selBar = newSelectionBar(w)
	w.empty = newEmptyView(w)
	w.status = widget.NewLabel("")
	w.status.Truncation = fyne.TextTruncateEllipsis
	w.status.SizeName = theme.SizeNameCaptionText
	w.status.Hide()
	w.footer = newFooter()
	w.undoBar = newUndoBar(w)

	w.list = newQueueList(w, w.prefs.CompactRows)
	w.center = container.NewStack(w.list, w.empty.content)
	if w.watch != nil {
		w.center.Add(w.watch.content)
		w.watch.content.Hide()
	}
	// The selection bar stands under the list: appearing, it moves no
	// row away from under the pointer.
	top := container.NewVBox(toolbar, w.where, w.notices.box, w.banner, filterBar, widget.NewSeparator())
	bottom := container.NewVBox(w.selBar.content, widget.NewSeparator(), w.footer, w.undoBar.content, w.status)
	w.win.SetContent(container.NewBorder(top, bottom, nil, nil, w.center))
	w.setView(viewAll)
	w.shortcuts()
}

// buildToolbar: with room, buttons with words; in a narrow window (an
// 800×600 screen, or a scale of 2) icons, so the destination selector and
// settings stay in reach.
func (w *Window) buildToolbar() fyne.CanvasObject {
	wide := container.NewHBox(
		widget.NewButtonWithIcon("Add files…", theme.FileIcon(), w.addFilesDialog),
		widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), w.addFolderDialog),
		widget.NewSeparator(),
		widget.NewButtonWithIcon("Pause all", theme.MediaPauseIcon(), w.pauseAll),
		widget.NewButtonWithIcon("Resume all", theme.MediaPlayIcon(), w.resumeAll),
		w.slow)
	narrow := container.NewHBox(
		iconButton(theme.FileIcon(), w.addFilesDialog),
		iconButton(theme.FolderOpenIcon(), w.addFolderDialog),
		iconButton(theme.MediaPauseIcon(), w.pauseAll),
		iconButton(theme.MediaPlayIcon(), w.resumeAll),
		w.slowIcon)
	to := widget.NewLabel("To")
	more := widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), nil)
	more.OnTapped = func() { w.moreMenu(more) }
	right := container.NewHBox(to, w.dest, widget.NewButtonWithIcon("", theme.SettingsIcon(), w.openSettings), more)
	// Narrow, the line that says where files go gives its room to the
	// queue: the selector says it too.
	bar := newAdaptiveBar(wide, narrow, nil, right, func(isWide bool) {
		to.Hidden = !isWide
		if w.where != nil && w.where.Visible() != isWide {
			if isWide {
				w.where.Show()
			} else {
				w.where.Hide()
			}
		}
	})
	w.bars = append(w.bars, bar.Layout.(*adaptiveBar))
	return bar
}

// buildFilterBar: the views as tabs (a selector when narrow), the search
// box and the order.
func (w *Window) buildFilterBar() fyne.CanvasObject {
	tabs := container.NewHBox()
	for v := range numViews {
		w.tabs[v] = widget.NewButton(viewNames[v], func() { w.setView(v) })
		tabs.Add(w.tabs[v])
	}
	w.viewSel = widget.NewSelect(viewNames[:], func(s string) {
		if w.syncing {
			return
		}
		for v, n := range viewNames {
			if strings.HasPrefix(s, n) && (w.current != view(v) || w.inWatch) {
				w.setView(view(v))
			}
		}
	})
	narrowTabs := container.NewHBox(w.viewSel)
	if w.opts.Watcher != nil {
		w.watch = newWatchView(w, w.opts.Watcher)
		w.watchB = widget.NewButtonWithIcon("Watch folders", theme.FolderIcon(), func() { w.showWatch(true) })
		w.watchB.Importance = widget.LowImportance
		tabs.Add(widget.NewSeparator())
		tabs.Add(w.watchB)
		narrowTabs.Add(iconButton(theme.FolderIcon(), func() { w.showWatch(true) }))
	}
	w.search = newSearchEntry(w)
	w.search.SetPlaceHolder("Search by name  (Ctrl+F)")
	w.search.OnChanged = func(string) { w.filterChanged() }
	w.sortSel = widget.NewSelect(sortNames[:], func(s string) {
		for i, n := range sortNames {
			if n == s {
				w.setSort(sortBy(i))
			}
		}
	})
	w.sortSel.SetSelected(sortNames[w.m.sorting()])
	bar := newAdaptiveBar(tabs, narrowTabs, w.search, w.sortSel, nil)
	w.bars = append(w.bars, bar.Layout.(*adaptiveBar))
	return bar
}

// iconButton is a narrow toolbar's button: the icon of a wide one.
func iconButton(icon fyne.Resource, fn func()) *widget.Button {
	return widget.NewButtonWithIcon("", icon, fn)
}

// showWatch switches between the queue and the Watch folders view.
func (w *Window) showWatch(on bool) {
	if w.watch == nil {
		return
	}
	w.inWatch = on
	w.unfocus() // keys must not reach a button of the view that went
	if on {
		w.list.Hide()
		w.empty.content.Hide()
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
	w.filterChanged()
}

// filterChanged shows the view and search as they are now, from the top.
func (w *Window) filterChanged() {
	w.m.filter(w.current, w.search.Text)
	w.list.ScrollToTop()
	w.frame(false)
}

// setSort orders the list anew and keeps the choice.
func (w *Window) setSort(s sortBy) {
	if w.m.sorting() == s {
		return
	}
	w.m.setSort(s)
	w.prefs.Sort = s
	w.savePrefs()
	w.list.ScrollToTop()
	w.frame(false)
}
