package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/watch"
	"github.com/ferry-app/ferry/watch/settings"
)

// watchView is the Watch folders view: the folders Ferry uploads new
// videos from, each with its destination, filters and after-upload
// action, and what it found, what settles and what went up. A handful of
// folders: it is redrawn whole when the watcher says something changed.
type watchView struct {
	w        *Window
	wt       *watch.Watcher
	statuses []watch.Status // UI goroutine only

	due     atomic.Bool // a refresh is posted and not run yet
	form    *watchForm  // the settings form open, nil if none (UI goroutine)
	dropped []string    // folders dropped, whose forms are still to open
	dropN   int         // forms opened for the folders of the drops under way
	list    *widget.List
	empty   fyne.CanvasObject
	content fyne.CanvasObject
}

func newWatchView(w *Window, wt *watch.Watcher) *watchView {
	v := &watchView{w: w, wt: wt}
	v.list = widget.NewList(func() int { return len(v.statuses) },
		func() fyne.CanvasObject { return newWatchRow(v) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(v.statuses) {
				o.(*watchRow).bind(v.statuses[i])
			}
		})
	add := widget.NewButtonWithIcon("Watch a folder…", theme.FolderNewIcon(), v.pick)
	add.Importance = widget.HighImportance
	hint := widget.NewLabel("New videos in a watched folder, or any folder below it, upload by themselves once they are finished, once. Drop a folder here to watch it.")
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	v.empty = container.NewCenter(widget.NewLabel("No watch folders yet."))
	v.content = container.NewBorder(container.NewBorder(nil, nil, nil, add, hint), nil, nil, nil,
		container.NewStack(v.list, v.empty))
	return v
}

// follow redraws the view when the watcher reports anything.
func (v *watchView) follow() {
	sub := v.wt.Subscribe(256)
	v.w.stopped.Add(1)
	go func() {
		defer v.w.stopped.Done()
		defer sub.Close()
		for {
			select {
			case <-v.w.stop:
				return
			case _, ok := <-sub.C:
				if !ok {
					return
				}
				if v.due.CompareAndSwap(false, true) { // one redraw for a burst
					v.w.post(func() { v.due.Store(false); v.refresh() })
				}
			}
		}
	}()
	v.refresh()
}

func (v *watchView) refresh() {
	v.statuses = v.wt.Status()
	slices.SortFunc(v.statuses, func(a, b watch.Status) int { return strings.Compare(a.Dir, b.Dir) })
	if len(v.statuses) == 0 {
		v.empty.Show()
	} else {
		v.empty.Hide()
	}
	v.list.Refresh()
	v.w.showWatchCount(len(v.statuses))
}

// pick asks for a folder to watch.
func (v *watchView) pick() {
	v.w.pickFolder(func(path string) { v.edit(settings.WatchFolder{Dir: path}, true, "") })
}

// drop asks how to watch folders dropped on the view: the watch form
// opens for the first, filled in with it and the destination chosen in
// the toolbar, and for each of the others in turn once the one before is
// saved or cancelled. Nothing is watched until its form is saved; a
// folder watched already opens with its settings.
func (v *watchView) drop(paths []string) {
	for _, p := range paths {
		if !slices.Contains(v.dropped, p) {
			v.dropped = append(v.dropped, p)
		}
	}
	v.nextDropped()
}

// nextDropped opens the form of the next dropped folder, unless a form
// is open.
func (v *watchView) nextDropped() {
	if v.form != nil || len(v.dropped) == 0 {
		return
	}
	dir := v.dropped[0]
	v.dropped = v.dropped[1:]
	v.dropN++
	of := ""
	if total := v.dropN + len(v.dropped); total > 1 {
		of = fmt.Sprintf("%d of %d", v.dropN, total)
	}
	if len(v.dropped) == 0 {
		v.dropN = 0
	}
	f, watched := v.saved(dir)
	if !watched {
		f = settings.WatchFolder{Dir: dir}
	}
	v.edit(f, !watched, of)
}

// formClosed: fm is saved or cancelled; the next dropped folder's form
// opens.
func (v *watchView) formClosed(fm *watchForm) {
	if v.form == fm {
		v.form = nil
	}
	v.nextDropped()
}

// saved is a folder's settings as the last refresh saw them.
func (v *watchView) saved(dir string) (settings.WatchFolder, bool) {
	for _, s := range v.statuses { // a handful of folders
		if s.Dir == dir {
			return s.Settings, true
		}
	}
	return settings.WatchFolder{}, false
}

// background runs a watcher command off the UI goroutine (it waits for
// the disk, or for a folder's walk to stop) and comes back to redraw.
func (v *watchView) background(fn func() error) {
	v.w.background(fn, func(err error) {
		if err != nil {
			v.w.showError(err)
		}
		v.refresh()
	})
}

func (v *watchView) setPaused(dir string, paused bool) {
	fn := v.wt.Resume
	if paused {
		fn = v.wt.Pause
	}
	v.background(func() error { return fn(dir) })
}

func (v *watchView) remove(dir string) {
	dialog.ShowConfirm("Stop watching?",
		fmt.Sprintf("Ferry stops watching %s. Nothing in it is touched, and uploads already queued go on.", tilde(dir)),
		func(ok bool) {
			if ok {
				v.background(func() error { return v.wt.Remove(dir) })
			}
		}, v.w.win)
}

// statusLine says how a folder is doing, in words.
func statusLine(s watch.Status) string {
	var line string
	switch s.State {
	case watch.Paused:
		line = "Paused"
	case watch.Missing, watch.Failing:
		line = s.Problem
	default:
		line = "Watching"
		if s.Scanning {
			line = "Looking through the folder…"
		}
	}
	if len(s.Warnings) > 0 {
		line += " — " + strings.Join(s.Warnings, " ")
	}
	return line
}

// countsLine is what a folder found, waits for and sent, since it was
// added: "12 found · 1 settling · 2 uploading · 9 uploaded (4.1 GB)".
func countsLine(s watch.Status) string {
	uploaded := fmt.Sprintf("%d uploaded", s.Uploaded)
	if s.Bytes > 0 {
		uploaded += " (" + size(s.Bytes) + ")"
	}
	parts := []string{fmt.Sprintf("%d found", s.Found()), fmt.Sprintf("%d settling", s.Settling),
		fmt.Sprintf("%d uploading", s.Queued), uploaded}
	if s.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Failed))
	}
	return strings.Join(parts, " · ")
}

// settlingLine names the file that settles first and when it goes:
// "Settling: holiday.mp4 — uploads in 4 s if it stays still; 2 more files
// settling". Empty when nothing settles.
func settlingLine(s watch.Status, now time.Time) string {
	if s.Settling == 0 || s.SettlingFirst == "" {
		return ""
	}
	name := filepath.Base(s.SettlingFirst)
	if rel, err := filepath.Rel(s.Dir, s.SettlingFirst); err == nil && !strings.HasPrefix(rel, "..") {
		name = rel // in a sub-folder: which one
	}
	in := "a moment"
	if d := s.SettlingDue.Sub(now); d > 0 {
		in = waitIn(d)
	}
	line := fmt.Sprintf("Settling: %s — uploads in %s if it stays still", name, in)
	switch more := s.Settling - 1; {
	case more == 1:
		line += "; 1 more file settling"
	case more > 1:
		line += fmt.Sprintf("; %d more files settling", more)
	}
	return line
}

// waitIn is a wait as a countdown reads: "4 s", "1 min 30 s", "2 min".
func waitIn(d time.Duration) string {
	d = (d + time.Second - 1).Truncate(time.Second)
	if d < time.Minute {
		return seconds(d)
	}
	m, sec := int(d/time.Minute), int(d%time.Minute/time.Second)
	if sec == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d min %d s", m, sec)
}

// watchRow draws one watch folder.
type watchRow struct {
	widget.BaseWidget
	v                  *watchView
	dir                string
	name, state, count *widget.Label
	settings           *widget.Label
	settle             *widget.Label // the file settling first, and its wait
	pause, edit, del   *widget.Button
	content            fyne.CanvasObject
}

func newWatchRow(v *watchView) *watchRow {
	r := &watchRow{v: v,
		name:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		state:    widget.NewLabel(""),
		count:    widget.NewLabel(""),
		settings: widget.NewLabel(""),
		settle:   widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.settle.Truncation = fyne.TextTruncateEllipsis
	for _, l := range []*widget.Label{r.state, r.count, r.settings, r.settle} {
		l.SizeName = theme.SizeNameCaptionText
	}
	r.settings.Truncation = fyne.TextTruncateEllipsis
	r.pause = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), nil)
	r.edit = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() {
		if f, ok := v.saved(r.dir); ok {
			v.edit(f, false, "")
		}
	})
	r.del = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { v.remove(r.dir) })
	for _, b := range []*widget.Button{r.pause, r.edit, r.del} {
		b.Importance = widget.LowImportance
	}
	top := container.NewBorder(nil, nil, nil, r.count, r.name)
	r.content = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.FolderIcon())),
		container.NewCenter(container.NewHBox(r.pause, r.edit, r.del)),
		container.NewVBox(top, r.settings, r.state, r.settle))
	r.ExtendBaseWidget(r)
	return r
}

func (r *watchRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *watchRow) bind(s watch.Status) {
	r.dir = s.Dir
	r.name.SetText(tilde(s.Dir))
	r.count.SetText(countsLine(s))
	r.state.SetText(statusLine(s))
	switch s.State {
	case watch.Missing, watch.Failing:
		r.state.Importance = widget.DangerImportance
	case watch.Paused:
		r.state.Importance = widget.MediumImportance
	default:
		r.state.Importance = widget.SuccessImportance
	}
	if len(s.Warnings) > 0 && s.State == watch.Watching {
		r.state.Importance = widget.WarningImportance
	}
	r.state.Refresh()
	r.settle.SetText(settlingLine(s, r.v.w.now()))
	r.settings.SetText(folderSettings(s.Settings))
	dir := s.Dir
	if s.State == watch.Paused {
		r.pause.SetIcon(theme.MediaPlayIcon())
		r.pause.OnTapped = func() { r.v.setPaused(dir, false) }
	} else {
		r.pause.SetIcon(theme.MediaPauseIcon())
		r.pause.OnTapped = func() { r.v.setPaused(dir, true) }
	}
}

// folderSettings sums up a folder's settings: "to studio · mp4, mov · then
// move into uploaded".
func folderSettings(f settings.WatchFolder) string {
	exts := "videos"
	switch {
	case len(f.Exts) == 1 && f.Exts[0] == "*":
		exts = "every file"
	case len(f.Exts) > 0 && !slices.Equal(f.Exts, settings.VideoExts):
		exts = strings.Join(f.Exts, ", ")
	}
	after := "then kept"
	switch f.After {
	case settings.AfterMove:
		after = "then moved into " + f.MoveTo
	case settings.AfterDelete:
		after = "then deleted once the server has every byte"
	}
	return fmt.Sprintf("To %s · %s · settle %s · %s", destLabel(f.Dest), exts, f.Settle, after)
}
