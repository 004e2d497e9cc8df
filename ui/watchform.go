package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/engine"
)

var afterLabels = []string{"Keep it where it is", "Move it into a sub-folder", "Delete it (once the server has every byte)"}
var afterKinds = []engine.After{engine.AfterKeep, engine.AfterMove, engine.AfterDelete}

// edit opens a folder's settings: destination, extensions, settle time,
// what happens after the upload. Bad input keeps the form open with a
// sentence; nothing typed is lost.
func (v *watchView) edit(f engine.WatchFolder, adding bool) {
	dests := []string{}
	for _, d := range v.w.eng.Destinations() {
		dests = append(dests, d.Name)
	}
	dest := widget.NewSelect(dests, nil)
	switch {
	case f.Dest.Name != "":
		dest.SetSelected(f.Dest.Name)
	case v.w.dest.Selected != "" && v.w.dest.Selected != manageLabel:
		dest.SetSelected(v.w.dest.Selected)
	}
	exts := widget.NewEntry()
	exts.SetPlaceHolder("videos (mp4, mov, mkv, …)")
	if len(f.Exts) > 0 && !slices.Equal(f.Exts, engine.VideoExts) {
		exts.SetText(strings.Join(f.Exts, ", "))
	}
	settle := widget.NewEntry()
	settle.SetPlaceHolder(engine.DefaultSettle.String())
	if f.Settle > 0 {
		settle.SetText(f.Settle.String())
	}
	moveTo := widget.NewEntry()
	moveTo.SetPlaceHolder(engine.DefaultMoveTo)
	moveTo.SetText(f.MoveTo)
	after := widget.NewSelect(afterLabels, func(s string) {
		if s == afterLabels[1] {
			moveTo.Enable()
		} else {
			moveTo.Disable()
		}
	})
	after.SetSelected(afterLabels[0])
	for i, k := range afterKinds {
		if f.After == k {
			after.SetSelected(afterLabels[i])
		}
	}
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord

	items := []*widget.FormItem{
		{Text: "Folder", Widget: widget.NewLabel(tilde(f.Dir))},
		{Text: "Upload to", Widget: dest},
		{Text: "Files", Widget: exts, HintText: "Extensions, comma separated; * for every file. Hidden and partial files never go."},
		{Text: "Settle time", Widget: settle, HintText: "How long a file must stay unchanged before it goes, e.g. 5s or 1m."},
		{Text: "After upload", Widget: after},
		{Text: "Sub-folder", Widget: moveTo, HintText: "Inside the watched folder; Ferry does not watch it."},
		{Widget: problem},
	}
	title := "Watch folder"
	if adding {
		title = "Watch a folder"
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		nf, err := readWatchForm(f, dest.Selected, exts.Text, settle.Text, after.Selected, moveTo.Text)
		if err != nil {
			problem.SetText(sentence(err))
			d.Show() // the form closed on Save: open it again, as typed
			return
		}
		go func() { // saving waits for the disk: off the UI goroutine
			if v.w.opts.NeedDest != nil {
				err = v.w.opts.NeedDest(nf.Dest.Name) // a built-in receiver runs before files go
			}
			if err == nil {
				_, err = v.wt.Add(nf)
			}
			v.w.post(func() {
				if err != nil {
					problem.SetText(sentence(err))
					d.Show()
					return
				}
				v.w.say("Watching " + tilde(nf.Dir) + ".")
				v.refresh()
			})
		}()
	}, v.w.win)
	d.Resize(fyne.NewSize(620, 520))
	d.Show()
}

// readWatchForm makes the folder the form describes.
func readWatchForm(f engine.WatchFolder, dest, exts, settle, after, moveTo string) (engine.WatchFolder, error) {
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
	f.Settle = 0
	if s := strings.TrimSpace(settle); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return f, fmt.Errorf("%q is not a settle time: write 5s, 30s or 2m.", s)
		}
		f.Settle = d
	}
	f.After, f.MoveTo = engine.AfterKeep, ""
	for i, l := range afterLabels {
		if after == l {
			f.After = afterKinds[i]
		}
	}
	if f.After == engine.AfterMove {
		f.MoveTo = strings.TrimSpace(moveTo)
	}
	return f.Normal()
}
