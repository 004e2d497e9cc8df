package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/internal/filepick"
	"github.com/ferry-app/ferry/localfile"
)

// Drop queues what was dropped on the window: files, and folders walked
// (hidden and temporary files skipped). The engine's AddMany runs off the
// UI goroutine, so a drop of 10 000 files never freezes the window.
func (w *Window) Drop(uris []fyne.URI) {
	var paths, dirs []string
	for _, u := range uris {
		if u.Scheme() != "file" {
			continue
		}
		p := localPath(u)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() && w.inWatch {
			dirs = append(dirs, p) // dropped on the Watch folders view: watched
			continue
		}
		paths = append(paths, p)
	}
	if len(dirs) > 0 {
		w.watch.drop(dirs)
	}
	w.Add(paths, nil)
}

// Add queues paths to the chosen destination in the background. done, if
// not nil, gets the number queued and the first error (another process
// handing files over waits for it).
func (w *Window) Add(paths []string, done func(queued int, err error)) {
	if len(paths) == 0 {
		if done != nil {
			done(0, nil)
		}
		return
	}
	dest, err := w.target()
	if err != nil {
		w.showError(err)
		if done != nil {
			done(0, err)
		}
		return
	}
	w.say(fmt.Sprintf("Adding %s…", plural(len(paths), "item")))
	pending := w.undo // a cancel or removal that adding its file again takes back
	var added, failed []engine.Added
	queued, already := 0, 0
	w.background(func() error {
		added = w.eng.AddMany(paths, dest)
		for _, a := range added {
			switch {
			case errors.Is(a.Err, localfile.ErrSkipped):
			case a.Err != nil:
				failed = append(failed, a)
			case a.Job.Already:
				already++
			default:
				queued++
			}
		}
		if done != nil { // off the UI goroutine: a hand-over waits for it
			var first error
			if len(failed) > 0 {
				first = failed[0].Err
			}
			done(queued+already, first)
		}
		return nil
	}, func(error) {
		w.showAdded(added, pending)
		w.say(addedLine(queued, already, len(failed)))
		if len(failed) > 0 {
			w.showError(addError(failed))
		}
	})
}

// showAdded asks the next frames to scroll the list to the jobs just
// added (the top, when the newest come first). Their events may reach
// the model after this: the frame looks until they are there. pending:
// the cancel or removal that could be undone when the files were added.
func (w *Window) showAdded(added []engine.Added, pending *undoable) {
	w.reveal = w.reveal[:0]
	for _, a := range added {
		if a.Err != nil {
			continue
		}
		w.addedAgain(pending, a.Job.ID)
		if len(w.reveal) < 64 {
			w.reveal = append(w.reveal, a.Job.ID)
		}
	}
	w.revealUntil = w.now().Add(2 * time.Second)
	w.revealAdded()
}

// revealAdded scrolls to the first row of the jobs waiting to be shown.
func (w *Window) revealAdded() {
	if len(w.reveal) == 0 {
		return
	}
	first := -1
	for _, id := range w.reveal {
		if i := w.m.rowOf(id); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first >= 0 || w.now().After(w.revealUntil) {
		w.reveal = w.reveal[:0]
	}
	if first >= 0 {
		w.list.ScrollTo(first)
	}
}

func addedLine(queued, already, failed int) string {
	parts := []string{fmt.Sprintf("Queued %s.", plural(queued, "file"))}
	if already > 0 {
		parts = append(parts, fmt.Sprintf("%s uploaded before, not sent again.", plural(already, "file")))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%s could not be added.", plural(failed, "file")))
	}
	return strings.Join(parts, " ")
}

// addError names what could not be queued, a few by name.
func addError(failed []engine.Added) error {
	var b strings.Builder
	for i, a := range failed {
		if i == 5 {
			fmt.Fprintf(&b, "…and %d more.", len(failed)-5)
			break
		}
		fmt.Fprintf(&b, "%s: %v\n", filepath.Base(a.Path), a.Err)
	}
	return fmt.Errorf("%s could not be added:\n%s", plural(len(failed), "file"), strings.TrimSpace(b.String()))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// The system's own dialogs (filepick), replaceable by tests.
var (
	pickFiles  = filepick.Files
	pickFolder = filepick.Folder
)

// addFilesDialog asks for files, many at once, in the system's own
// dialog where there is one (Fyne's otherwise), from the folder of the
// last pick.
func (w *Window) addFilesDialog() {
	w.pick(func(ctx context.Context, dir string) ([]string, error) {
		return pickFiles(ctx, "Add files to upload", dir)
	}, w.fyneFileDialog, func(paths []string) { w.Add(paths, nil) })
}

func (w *Window) addFolderDialog() {
	w.pickFolder(func(path string) { w.Add([]string{path}, nil) })
}

// pickFolder asks for a folder and hands its path to fn.
func (w *Window) pickFolder(fn func(path string)) {
	w.pick(func(ctx context.Context, dir string) ([]string, error) {
		p, err := pickFolder(ctx, "Choose a folder", dir)
		return []string{p}, err
	}, func() { w.fyneFolderDialog(fn) }, func(paths []string) { fn(paths[0]) })
}

// pick runs a native dialog off the UI goroutine (it blocks until the
// user answers), one at a time; where there is none, fallback shows
// Fyne's. The folder picked from is remembered for the next time.
func (w *Window) pick(native func(context.Context, string) ([]string, error), fallback func(), then func([]string)) {
	if w.picking {
		return
	}
	w.picking = true
	dir := w.lastDir
	var paths []string
	w.background(func() (err error) {
		paths, err = native(w.ctx, dir)
		return err
	}, func(err error) {
		w.picking = false
		switch {
		case errors.Is(err, filepick.ErrUnavailable):
			fallback()
		case errors.Is(err, filepick.ErrCancelled), errors.Is(err, context.Canceled):
		case err != nil:
			w.say(fmt.Sprintf("The file dialog failed (%v); opening Ferry's own.", err))
			fallback()
		default:
			w.rememberDir(paths[0])
			then(paths)
		}
	})
}

// rememberDir keeps the folder of a picked path for the next dialog.
func (w *Window) rememberDir(path string) {
	dir := path
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		dir = filepath.Dir(path)
	}
	if dir != w.lastDir {
		w.lastDir, w.prefs.LastDir = dir, dir
		w.savePrefs()
	}
}

// fyneFileDialog is the fallback: Ferry's own picker, many files at once
// (Fyne's file dialog picks one).
func (w *Window) fyneFileDialog() {
	p := newFilePicker(w.win, w.lastDir, func(paths []string) {
		if len(paths) > 0 {
			w.rememberDir(paths[0])
			w.Add(paths, nil)
		}
	})
	p.dlg.Show()
}

// localPath is a file URI's path as the system writes it: Fyne's URIs
// say C:/Users/ana on Windows too.
func localPath(u fyne.URI) string { return filepath.FromSlash(u.Path()) }

func (w *Window) fyneFolderDialog(fn func(string)) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if u != nil {
			w.rememberDir(filepath.Dir(localPath(u)))
			fn(localPath(u))
		}
	}, w.win)
	w.startIn(d.SetLocation)
	d.Resize(fitSize(w.win, 800, 560))
	d.Show()
}

// startIn points a Fyne dialog at the last folder, when it still exists.
func (w *Window) startIn(set func(fyne.ListableURI)) {
	if w.lastDir == "" {
		return
	}
	if l, err := storage.ListerForURI(storage.NewFileURI(w.lastDir)); err == nil {
		set(l)
	}
}

func fileURL(path string) (*url.URL, error) { return url.Parse(storage.NewFileURI(path).String()) }
