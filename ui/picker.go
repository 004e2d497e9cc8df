package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// filePicker is Ferry's own dialog for many files at once, where the
// system has none (Fyne's picks one file). A click on a folder opens it,
// a click on a file ticks it; ticks are kept while moving between
// folders, and Add hands them all over.
type filePicker struct {
	dlg     *dialog.CustomDialog
	dir     string
	entries []os.DirEntry
	picked  []string // paths, in the order ticked
	path    *widget.Entry
	list    *widget.List
	problem *widget.Label
	add     *widget.Button
}

func newFilePicker(win fyne.Window, start string, done func([]string)) *filePicker {
	p := &filePicker{path: widget.NewEntry(), problem: widget.NewLabel("")}
	p.problem.Importance = widget.DangerImportance
	p.problem.Truncation = fyne.TextTruncateEllipsis
	p.path.OnSubmitted = func(dir string) { p.open(dir) }
	up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { p.open(filepath.Dir(p.dir)) })
	p.list = widget.NewList(func() int { return len(p.entries) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.CheckButtonIcon()), widget.NewIcon(theme.FileIcon())), nil, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.entries) {
				return
			}
			e := p.entries[i]
			row := o.(*fyne.Container)
			icons := row.Objects[1].(*fyne.Container)
			tick, kind := icons.Objects[0].(*widget.Icon), icons.Objects[1].(*widget.Icon)
			row.Objects[0].(*widget.Label).SetText(e.Name())
			switch {
			case e.IsDir():
				tick.SetResource(theme.NavigateNextIcon())
				kind.SetResource(theme.FolderIcon())
			case slices.Contains(p.picked, filepath.Join(p.dir, e.Name())):
				tick.SetResource(theme.CheckButtonCheckedIcon())
				kind.SetResource(theme.FileVideoIcon())
			default:
				tick.SetResource(theme.CheckButtonIcon())
				kind.SetResource(theme.FileVideoIcon())
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		p.list.UnselectAll()
		p.tap(i)
	}
	hint := widget.NewLabel("Click files to tick them (as many as you like, in several folders); click a folder to open it.")
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	content := container.NewBorder(container.NewBorder(nil, nil, up, nil, p.path),
		container.NewVBox(p.problem, hint), nil, nil, p.list)
	p.dlg = dialog.NewCustomWithoutButtons("Add files", content, win)
	p.add = widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() {
		p.dlg.Hide()
		done(p.picked)
	})
	p.add.Importance = widget.HighImportance
	p.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", p.dlg.Hide), p.add})
	p.dlg.Resize(fitSize(win, 720, 520))
	if start == "" {
		start, _ = os.UserHomeDir()
	}
	p.open(start)
	p.count()
	return p
}

// open shows folder dir: its sub-folders first, then its files; hidden
// ones are left out, as Ferry leaves them out of folders it walks.
func (p *filePicker) open(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		why := "it cannot be read"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			why = "there is no such folder"
		case errors.Is(err, fs.ErrPermission):
			why = "you may not read it"
		}
		p.problem.SetText(fmt.Sprintf("Cannot open %s: %s.", tilde(dir), why))
		p.path.SetText(p.dir)
		return
	}
	p.problem.SetText("")
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".") })
	for i, e := range entries { // a link to a folder opens as one
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
				entries[i] = fs.FileInfoToDirEntry(namedInfo{fi, e.Name()})
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b os.DirEntry) int {
		if a.IsDir() != b.IsDir() {
			if a.IsDir() {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
	})
	p.dir, p.entries = dir, entries
	p.path.SetText(dir)
	p.list.ScrollToTop()
	p.list.Refresh()
}

// tap opens a folder, or ticks a file (or takes its tick away).
func (p *filePicker) tap(i int) {
	if i < 0 || i >= len(p.entries) {
		return
	}
	e := p.entries[i]
	path := filepath.Join(p.dir, e.Name())
	if e.IsDir() {
		p.open(path)
		return
	}
	if k := slices.Index(p.picked, path); k >= 0 {
		p.picked = slices.Delete(p.picked, k, k+1)
	} else {
		p.picked = append(p.picked, path)
	}
	p.list.RefreshItem(i)
	p.count()
}

func (p *filePicker) count() {
	if len(p.picked) == 0 {
		p.add.SetText("Add")
		p.add.Disable()
		return
	}
	p.add.SetText("Add " + plural(len(p.picked), "file"))
	p.add.Enable()
}

// namedInfo is a link's target under the link's own name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }
