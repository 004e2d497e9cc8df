package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch"
)

// watchView is the Watch folders view: the folders Ferry uploads new
// videos from, each with its destination, filters and after-upload
// action, and what it found, what settles and what went up. A handful of
// folders: it is redrawn whole when the watcher says something changed.
type watchView struct {
	w        *Window
	wt       *watch.Watcher
	statuses []watch.Status                // UI goroutine only
	settings map[string]engine.WatchFolder // as saved, read once per refresh
	due      atomic.Bool                   // a refresh is posted and not run yet
	list     *widget.List
	empty    fyne.CanvasObject
	content  fyne.CanvasObject
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
	v.w.pickFolder(func(path string) { v.edit(engine.WatchFolder{Dir: path}, true) })
}

// drop watches folders dropped on the view, to the chosen destination.
func (v *watchView) drop(paths []string) {
	dest, err := v.w.target()
	if err != nil {
		v.w.showError(err)
		return
	}
	for _, p := range paths {
		v.background(func() error {
			_, err := v.wt.Add(engine.WatchFolder{Dir: p, Dest: dest})
			return err
		})
		v.w.say("Watching " + tilde(p) + ".")
	}
}

// saved is a folder's settings as the last refresh saw them.
func (v *watchView) saved(dir string) (engine.WatchFolder, bool) {
	for _, s := range v.statuses { // a handful of folders
		if s.Dir == dir {
			return s.Settings, true
		}
	}
	return engine.WatchFolder{}, false
}

// background runs a watcher command off the UI goroutine (it waits for
// the disk, or for a folder's walk to stop) and comes back to redraw.
func (v *watchView) background(fn func() error) {
	go func() {
		err := fn()
		v.w.post(func() {
			if err != nil {
				v.w.showError(err)
			}
			v.refresh()
		})
	}()
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

// countsLine is what a folder found, waits for and sent.
func countsLine(s watch.Status) string {
	parts := []string{fmt.Sprintf("%d found", s.Found()), fmt.Sprintf("%d settling", s.Settling),
		fmt.Sprintf("%d uploading", s.Queued), fmt.Sprintf("%d uploaded", s.Uploaded)}
	if s.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Failed))
	}
	return strings.Join(parts, " · ")
}

// watchRow draws one watch folder.
type watchRow struct {
	widget.BaseWidget
	v                  *watchView
	dir                string
	name, state, count *widget.Label
	settings           *widget.Label
	pause, edit, del   *widget.Button
	content            fyne.CanvasObject
}

func newWatchRow(v *watchView) *watchRow {
	r := &watchRow{v: v,
		name:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		state:    widget.NewLabel(""),
		count:    widget.NewLabel(""),
		settings: widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	for _, l := range []*widget.Label{r.state, r.count, r.settings} {
		l.SizeName = theme.SizeNameCaptionText
	}
	r.settings.Truncation = fyne.TextTruncateEllipsis
	r.pause = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), nil)
	r.edit = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() {
		if f, ok := v.saved(r.dir); ok {
			v.edit(f, false)
		}
	})
	r.del = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { v.remove(r.dir) })
	for _, b := range []*widget.Button{r.pause, r.edit, r.del} {
		b.Importance = widget.LowImportance
	}
	top := container.NewBorder(nil, nil, nil, r.count, r.name)
	r.content = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.FolderIcon())),
		container.NewCenter(container.NewHBox(r.pause, r.edit, r.del)),
		container.NewVBox(top, r.settings, r.state))
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
func folderSettings(f engine.WatchFolder) string {
	exts := "videos"
	switch {
	case len(f.Exts) == 1 && f.Exts[0] == "*":
		exts = "every file"
	case len(f.Exts) > 0 && !slices.Equal(f.Exts, engine.VideoExts):
		exts = strings.Join(f.Exts, ", ")
	}
	after := "then kept"
	switch f.After {
	case engine.AfterMove:
		after = "then moved into " + f.MoveTo
	case engine.AfterDelete:
		after = "then deleted once the server has every byte"
	}
	return fmt.Sprintf("To %s · %s · settle %s · %s", destLabel(f.Dest), exts, f.Settle, after)
}
