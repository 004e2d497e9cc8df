package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// kindLabel is a kind's label in the form's kind selector.
func kindLabel(k dest.Kind) string {
	return dest.Destination{Kind: k}.Provider().Label
}

// providerByLabel is the provider the kind selector names.
func providerByLabel(label string) *dest.Provider {
	for _, p := range dest.Providers() {
		if p.Label == label {
			return p
		}
	}
	return dest.Destination{}.Provider()
}

// keptValue stands, in the headers field, for the value of a secret
// header that stays as saved (the keychain has it; it is never shown).
const keptValue = "(saved, unchanged)"

// destDialog is the destinations dialog: a list of the saved ones, and a
// form to add or edit one, in the same dialog.
type destDialog struct {
	win     fyne.Window
	eng     *engine.Engine
	note    string // where secrets go when there is no system keychain
	changed func()
	dlg     *dialog.CustomDialog
	offUI   offUI // work off the UI goroutine

	// The list.
	dests      []engine.Destination
	def        string
	selected   string
	list       *widget.List
	empty      *widget.Label
	addBtn     *widget.Button
	editBtn    *widget.Button
	removeBtn  *widget.Button
	defaultBtn *widget.Button
	testBtn    *widget.Button
	closeBtn   *widget.Button
	status     *widget.Label
	testing    bool
	confirm    *dialog.ConfirmDialog // the last "remove?" question
	listView   *fyne.Container

	// The form.
	editing      string         // the destination edited; "" when adding
	editProv     *dest.Provider // its provider as saved
	savedHeaders []string       // its secret headers, in the keychain
	builtinURL   string         // its receiver's URL, kept (builtin)
	formTitle    *widget.Label
	kind         *widget.Select
	name         *widget.Entry
	url          *widget.Entry
	auth         *widget.Entry
	forgetAuth   *widget.Check
	account      *widget.Entry
	token        *widget.Entry
	folder       *widget.Entry
	chooseFolder *widget.Button
	headers      *widget.Entry
	meta         *widget.Entry
	chunk        *widget.Entry
	errLabels    [numFields]*widget.Label // each field's error, under it
	checked      bool                     // Save was pressed: errors follow the typing
	fields       *fyne.Container          // the form of the chosen kind
	formScroll   *container.Scroll
	keyNote      *widget.Label
	problem      *widget.Label
	saveBtn      *widget.Button
	cancelBtn    *widget.Button
	formView     *fyne.Container
}

// showDestinations opens the destinations dialog over w. edit, when not
// "", opens that destination's edit form at once (a row's "Check the
// destination" action). changed is called (on the UI goroutine) after
// anything was saved, removed or made default, so the toolbar's selector
// can refresh. keychainNote is "" when the system keychain works, else a
// sentence (e.g. secrets are kept in a 0600 file in the data dir) shown in
// the form near secret fields.
func showDestinations(w fyne.Window, off offUI, eng *engine.Engine, edit string, keychainNote string, changed func()) dialog.Dialog {
	d := newDestDialog(w, off, eng, edit, keychainNote, changed)
	d.dlg.Show()
	return d.dlg
}

func newDestDialog(w fyne.Window, off offUI, eng *engine.Engine, edit string, keychainNote string, changed func()) *destDialog {
	if changed == nil {
		changed = func() {}
	}
	d := &destDialog{win: w, offUI: off, eng: eng, note: keychainNote, changed: changed}
	d.buildList()
	d.buildForm()
	d.dlg = dialog.NewCustomWithoutButtons("Destinations", container.NewStack(d.listView, d.formView), w)
	d.dlg.Resize(fitSize(w, 680, 620))
	d.reload()
	if edit != "" {
		if _, ok := eng.SavedDestination(edit); ok {
			d.select_(edit)
			d.openForm(edit)
			return d
		}
		d.say(fmt.Sprintf("There is no saved destination %q any more; add it again, or pick another.", edit), widget.WarningImportance)
	}
	d.showList()
	return d
}

// ---- The list ----

func (d *destDialog) buildList() {
	d.list = widget.NewList(
		func() int { return len(d.dests) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			kind := widget.NewLabel("")
			kind.Importance = widget.LowImportance
			badge := widget.NewLabel("Default")
			badge.Importance = widget.SuccessImportance
			where := widget.NewLabel("")
			where.Truncation = fyne.TextTruncateEllipsis
			top := container.NewHBox(name, kind, layout.NewSpacer(), badge)
			return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), top, where)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(d.dests) {
				return
			}
			x := d.dests[i]
			box := o.(*fyne.Container)
			top := box.Objects[0].(*fyne.Container)
			top.Objects[0].(*widget.Label).SetText(x.Name)
			top.Objects[1].(*widget.Label).SetText(x.Provider().Short)
			top.Objects[3].(*widget.Label).Hidden = x.Name != d.def
			top.Refresh()
			box.Objects[1].(*widget.Label).SetText(x.Where())
		},
	)
	d.list.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(d.dests) {
			d.selected = d.dests[i].Name
		}
		d.updateButtons()
	}
	d.list.OnUnselected = func(widget.ListItemID) {
		d.selected = ""
		d.updateButtons()
	}
	d.empty = widget.NewLabel("No destinations yet. Add one to say where your files go — the built-in receiver on this computer works without an account.")
	d.empty.Wrapping = fyne.TextWrapWord
	d.empty.Alignment = fyne.TextAlignCenter

	d.addBtn = widget.NewButtonWithIcon("Add…", theme.ContentAddIcon(), func() { d.openForm("") })
	d.editBtn = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() { d.openForm(d.selected) })
	d.removeBtn = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), d.askRemove)
	d.defaultBtn = widget.NewButtonWithIcon("Make default", theme.ConfirmIcon(), d.makeDefault)
	d.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), d.testSelected)
	d.closeBtn = widget.NewButton("Close", func() { d.dlg.Hide() })

	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord

	actions := container.NewHBox(d.addBtn, d.editBtn, d.removeBtn, layout.NewSpacer(), d.defaultBtn, d.testBtn)
	d.listView = container.NewBorder(nil, container.NewVBox(messageArea(d.status, 2), actions), nil, nil,
		container.NewStack(d.list, container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 80), d.empty))))
}

// reload reads the destinations again, keeping the selection.
func (d *destDialog) reload() {
	d.dests = d.eng.Destinations()
	d.def = d.eng.DefaultDestination()
	d.empty.Hidden = len(d.dests) > 0
	d.empty.Refresh()
	d.list.Refresh()
	i := slices.IndexFunc(d.dests, func(x engine.Destination) bool { return x.Name == d.selected })
	if i < 0 {
		d.selected = ""
		d.list.UnselectAll()
	} else {
		d.list.Select(i)
	}
	d.updateButtons()
}

// select_ selects a destination by name.
func (d *destDialog) select_(name string) {
	d.selected = name
	if i := slices.IndexFunc(d.dests, func(x engine.Destination) bool { return x.Name == name }); i >= 0 {
		d.list.Select(i)
		d.list.ScrollTo(i)
	}
	d.updateButtons()
}

func (d *destDialog) updateButtons() {
	on := func(b *widget.Button, ok bool) {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	sel := d.selected != ""
	on(d.editBtn, sel)
	on(d.removeBtn, sel)
	on(d.defaultBtn, sel && d.selected != d.def)
	on(d.testBtn, sel && !d.testing)
}

// say shows a sentence under the list.
func (d *destDialog) say(text string, imp widget.Importance) {
	d.status.Importance = imp
	d.status.SetText(text)
}

func (d *destDialog) showList() {
	d.formView.Hide()
	d.listView.Show()
	d.dlg.SetButtons([]fyne.CanvasObject{d.closeBtn})
}

func (d *destDialog) makeDefault() {
	name := d.selected
	if name == "" {
		return
	}
	if err := d.eng.SetDefaultDestination(name); err != nil {
		d.say(err.Error(), widget.DangerImportance)
		return
	}
	d.reload()
	d.say(fmt.Sprintf("%s is the default destination: dropped files go there.", name), widget.SuccessImportance)
	d.changed()
}

// askRemove asks before a destination goes, saying what it means for the
// jobs that still go there.
func (d *destDialog) askRemove() {
	name := d.selected
	if name == "" {
		return
	}
	msg := "Its settings and saved secrets go."
	if n := d.eng.JobsGoingTo(name); n == 1 {
		msg = fmt.Sprintf("1 unfinished job goes to %s: it will fail\nuntil a destination named %s is added again.", name, name)
	} else if n > 1 {
		msg = fmt.Sprintf("%d unfinished jobs go to %s: they will fail\nuntil a destination named %s is added again.", n, name, name)
	}
	d.confirm = dialog.NewConfirm("Remove "+name+"?", msg, func(ok bool) {
		if ok {
			d.remove(name)
		}
	}, d.win)
	d.confirm.SetConfirmText("Remove")
	d.confirm.SetDismissText("Cancel")
	d.confirm.SetConfirmImportance(widget.DangerImportance)
	d.confirm.Show()
}

func (d *destDialog) remove(name string) {
	d.removeBtn.Disable()
	d.background(func() error { return d.eng.RemoveDestination(name) }, func(err error) {
		if err != nil {
			d.say(err.Error(), widget.DangerImportance)
			d.updateButtons()
			return
		}
		d.reload()
		d.say(fmt.Sprintf("Removed %s.", name), widget.MediumImportance)
		d.changed()
	})
}

// testSelected checks the selected destination without uploading, off
// the UI goroutine (it waits on the network).
func (d *destDialog) testSelected() {
	name := d.selected
	if name == "" || d.testing {
		return
	}
	d.testing = true
	d.updateButtons()
	d.say(fmt.Sprintf("Testing %s…", name), widget.MediumImportance)
	d.background(func() error { return d.eng.TestDestination(name) }, func(err error) {
		d.testing = false
		d.updateButtons()
		var unchecked *engine.ErrUnchecked
		switch {
		case errors.As(err, &unchecked):
			d.say(fmt.Sprintf("%s: %s", name, unchecked.Msg), widget.WarningImportance)
		case err != nil:
			d.say(fmt.Sprintf("%s: %s", name, sentence(err)), widget.DangerImportance)
		default:
			d.say(fmt.Sprintf("%s answers as it should.", name), widget.SuccessImportance)
		}
	})
}

// background runs work off the UI goroutine and then, back on it, then.
func (d *destDialog) background(work func() error, then func(error)) { d.offUI(work, then) }

// sentence is an error as a person reads it, with its stop. Ferry's own
// errors (fault) are sentences already; another library's (a file
// dialog's, say) gets its first letter raised.
func sentence(err error) string {
	s := strings.TrimSpace(err.Error())
	if s == "" {
		return "Something went wrong."
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	if _, ours := errors.AsType[*fault.Error](err); ours {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
