package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/watch/settings"
)

var afterLabels = []string{"Keep it where it is", "Move it into a sub-folder", "Delete it (once the server has every byte)"}
var afterKinds = []settings.After{settings.AfterKeep, settings.AfterMove, settings.AfterDelete}

// watchForm is a watch folder's settings dialog while it is open.
type watchForm struct {
	f       settings.WatchFolder
	adding  bool
	dest    *widget.Select
	exts    *widget.Entry
	settle  *widget.Entry
	after   *widget.Select
	moveTo  *widget.Entry
	problem *widget.Label
	dlg     *dialog.FormDialog
}

// edit opens a folder's settings: destination, extensions, settle time,
// what happens after the upload. Bad input keeps the form open with a
// sentence; nothing typed is lost. Nothing is saved until Save; Cancel
// leaves everything as it was. of, if not "", says which of several
// dropped folders this is ("2 of 3").
func (v *watchView) edit(f settings.WatchFolder, adding bool, of string) {
	fm := &watchForm{f: f, adding: adding}
	dests := []string{}
	for _, d := range v.w.eng.Destinations() {
		dests = append(dests, d.Name)
	}
	run := v.w.opts.Dest // a URL given with --to: offered for this run too
	hasRun := run.URL != "" && run.Name == ""
	if hasRun {
		dests = append(dests, thisRun(run))
	}
	fm.dest = widget.NewSelect(dests, nil)
	switch {
	case f.Dest.Name != "":
		fm.dest.SetSelected(f.Dest.Name)
	case hasRun && f.Dest.URL != "" && f.Dest.URL == dest.RedactURL(run.URL):
		fm.dest.SetSelected(thisRun(run))
	case f.Dest.URL == "" && slices.Contains(dests, v.w.dest.Selected):
		fm.dest.SetSelected(v.w.dest.Selected) // where files go now
	}
	fm.exts = widget.NewEntry()
	fm.exts.SetPlaceHolder("videos (mp4, mov, mkv, …)")
	if len(f.Exts) > 0 && !slices.Equal(f.Exts, settings.VideoExts) {
		fm.exts.SetText(strings.Join(f.Exts, ", "))
	}
	fm.settle = widget.NewEntry()
	fm.settle.SetPlaceHolder(settings.DefaultSettle.String())
	fm.settle.Validator = func(text string) error { _, err := parseSettle(text); return err } // said under the field
	if f.Settle > 0 {
		fm.settle.SetText(f.Settle.String())
	}
	fm.moveTo = widget.NewEntry()
	fm.moveTo.SetPlaceHolder(settings.DefaultMoveTo)
	fm.moveTo.SetText(f.MoveTo)
	fm.after = widget.NewSelect(afterLabels, func(s string) {
		if s == afterLabels[1] {
			fm.moveTo.Enable()
		} else {
			fm.moveTo.Disable()
		}
	})
	fm.after.SetSelected(afterLabels[0])
	for i, k := range afterKinds {
		if f.After == k {
			fm.after.SetSelected(afterLabels[i])
		}
	}
	fm.problem = widget.NewLabel("")
	fm.problem.Importance = widget.DangerImportance
	fm.problem.Wrapping = fyne.TextWrapWord

	items := []*widget.FormItem{
		{Text: "Folder", Widget: widget.NewLabel(tilde(f.Dir))},
		{Text: "Upload to", Widget: fm.dest},
		{Text: "Files", Widget: fm.exts, HintText: "Extensions, comma separated; * for every file. Hidden and partial files never go."},
		{Text: "Settle time", Widget: fm.settle, HintText: "How long a file must stay unchanged before it goes, e.g. 5s or 1m."},
		{Text: "After upload", Widget: fm.after},
		{Text: "Sub-folder", Widget: fm.moveTo, HintText: "Inside the watched folder; Ferry does not watch it."},
		{Widget: fm.problem},
	}
	title := "Watch folder"
	if adding {
		title = "Watch a folder"
	}
	if of != "" {
		title += " (" + of + ")"
	}
	fm.dlg = dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if !ok {
			v.formClosed(fm) // nothing saved
			return
		}
		nf, err := readWatchForm(f, fm.dest.Selected, fm.exts.Text, fm.settle.Text, fm.after.Selected, fm.moveTo.Text)
		if err == nil && hasRun && fm.dest.Selected == thisRun(run) {
			nf.Dest = run
		}
		if err != nil {
			fm.problem.SetText(sentence(err))
			fm.dlg.Show() // the form closed on Save: open it again, as typed
			return
		}
		v.w.background(func() error { // saving waits for the disk
			if v.w.opts.NeedDest != nil && nf.Dest.Name != "" {
				if err := v.w.opts.NeedDest(nf.Dest.Name); err != nil { // a built-in receiver runs before files go
					return err
				}
			}
			_, err := v.wt.Add(nf)
			return err
		}, func(err error) {
			if err != nil {
				fm.problem.SetText(sentence(err))
				fm.dlg.Show()
				return
			}
			v.w.say("Watching " + tilde(nf.Dir) + ".")
			v.refresh()
			v.formClosed(fm)
		})
	}, v.w.win)
	fm.dlg.Resize(fyne.NewSize(620, 520))
	v.form = fm
	fm.dlg.Show()
}

// readWatchForm makes the folder the form describes.
func readWatchForm(f settings.WatchFolder, dest, exts, settle, after, moveTo string) (settings.WatchFolder, error) {
	if dest == "" {
		return f, fmt.Errorf("Choose where the folder's files go (add a destination with %s first if there is none).", manageLabel)
	}
	f.Dest = engine.Destination{Name: dest}
	f.Exts = nil
	for _, x := range strings.Split(exts, ",") {
		if x = strings.TrimSpace(x); x != "" {
			f.Exts = append(f.Exts, x)
		}
	}
	var err error
	if f.Settle, err = parseSettle(settle); err != nil {
		return f, err
	}
	f.After, f.MoveTo = settings.AfterKeep, ""
	for i, l := range afterLabels {
		if after == l {
			f.After = afterKinds[i]
		}
	}
	if f.After == settings.AfterMove {
		f.MoveTo = strings.TrimSpace(moveTo)
	}
	return f.Normal()
}

// parseSettle reads a settle time; empty is the default (0).
func parseSettle(text string) (time.Duration, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a settle time: write 5s, 30s or 2m.", s)
	}
	return d, nil
}
