package ui

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/keychain"
)

// destKinds are the kinds the form offers, in its order, with their
// labels in the form and in the list.
var destKinds = []struct {
	kind         engine.Kind
	label, short string
	about        string
}{
	{engine.KindTus, "Any tus server", "tus server",
		"Any server that speaks tus 1.0: tusd, a CDN, your own."},
	{engine.KindBackend, "Your backend (one-time upload URLs)", "your backend",
		"Your backend holds the provider's token and hands out one-time tus URLs."},
	{engine.KindCloudflare, "Cloudflare Stream (API token)", "Cloudflare Stream",
		"Videos go straight to your Cloudflare Stream account."},
	{engine.KindVimeo, "Vimeo", "Vimeo",
		"Videos go to your Vimeo account; the result is each video's link."},
	{engine.KindBuiltin, "Built-in receiver on this computer", "built-in receiver",
		"Ferry receives the files itself, on this computer; no account needed."},
}

func kindLabel(k engine.Kind) string {
	for _, dk := range destKinds {
		if dk.kind == k {
			return dk.label
		}
	}
	return destKinds[0].label
}

func kindByLabel(label string) engine.Kind {
	for _, dk := range destKinds {
		if dk.label == label {
			return dk.kind
		}
	}
	return engine.KindTus
}

func kindAbout(k engine.Kind) string {
	for _, dk := range destKinds {
		if dk.kind == k {
			return dk.about
		}
	}
	return ""
}

func kindShort(k engine.Kind) string {
	for _, dk := range destKinds {
		if dk.kind == k {
			return dk.short
		}
	}
	return destKinds[0].short
}

func destKind(d engine.Destination) engine.Kind {
	if d.Kind == "" {
		return engine.KindTus
	}
	return d.Kind
}

// keptValue stands, in the headers field, for the value of a secret
// header that stays as saved (the keychain has it; it is never shown).
const keptValue = "(saved, unchanged)"

// Secret keys, as SaveDestination names them in the keychain.
const (
	secretTokenKey  = "token"
	secretHeaderPre = "header:"
)

// destDialog is the destinations dialog: a list of the saved ones, and a
// form to add or edit one, in the same dialog.
type destDialog struct {
	win     fyne.Window
	eng     *engine.Engine
	note    string // where secrets go when there is no system keychain
	changed func()
	dlg     *dialog.CustomDialog
	pending sync.WaitGroup // work off the UI goroutine; tests wait on it

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
	editing      string      // the destination edited; "" when adding
	editKind     engine.Kind // its kind as saved
	savedHeaders []string    // its secret headers, in the keychain
	builtinURL   string      // its receiver's URL, kept (builtin)
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
	fields       *fyne.Container // the form of the chosen kind
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
func showDestinations(w fyne.Window, eng *engine.Engine, edit string, keychainNote string, changed func()) dialog.Dialog {
	d := newDestDialog(w, eng, edit, keychainNote, changed)
	d.dlg.Show()
	return d.dlg
}

func newDestDialog(w fyne.Window, eng *engine.Engine, edit string, keychainNote string, changed func()) *destDialog {
	if changed == nil {
		changed = func() {}
	}
	d := &destDialog{win: w, eng: eng, note: keychainNote, changed: changed}
	d.buildList()
	d.buildForm()
	d.dlg = dialog.NewCustomWithoutButtons("Destinations", container.NewStack(d.listView, d.formView), w)
	d.dlg.Resize(fyne.NewSize(600, 540))
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
			dest := d.dests[i]
			box := o.(*fyne.Container)
			top := box.Objects[0].(*fyne.Container)
			top.Objects[0].(*widget.Label).SetText(dest.Name)
			top.Objects[1].(*widget.Label).SetText(kindShort(destKind(dest)))
			top.Objects[3].(*widget.Label).Hidden = dest.Name != d.def
			top.Refresh()
			box.Objects[1].(*widget.Label).SetText(destWhere(dest))
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

// destWhere is a row's second line: where files go.
func destWhere(d engine.Destination) string {
	switch destKind(d) {
	case engine.KindCloudflare:
		return "Account " + d.Account
	case engine.KindVimeo:
		return "Your Vimeo account"
	case engine.KindBuiltin:
		return "Into " + d.Dir
	}
	return engine.RedactURL(d.URL)
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
	msg := fmt.Sprintf("Its settings and saved secrets go.")
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
func (d *destDialog) background(work func() error, then func(error)) {
	d.pending.Add(1)
	go func() {
		defer d.pending.Done()
		err := work()
		fyne.Do(func() { then(err) })
	}()
}

// sentence is an error as a person reads it: a sentence with its stop.
func sentence(err error) string {
	s := strings.TrimSpace(err.Error())
	if s == "" {
		return "Something went wrong."
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ---- The form ----

func (d *destDialog) buildForm() {
	labels := make([]string, len(destKinds))
	for i, dk := range destKinds {
		labels[i] = dk.label
	}
	d.formTitle = dialogHeading("")
	d.kind = widget.NewSelect(labels, func(string) { d.layoutFields() })
	d.name = widget.NewEntry()
	d.name.SetPlaceHolder("e.g. studio-1")
	d.url = widget.NewEntry()
	d.auth = widget.NewPasswordEntry()
	d.forgetAuth = widget.NewCheck("Forget the saved Authorization", nil)
	d.account = widget.NewEntry()
	d.account.SetPlaceHolder("e.g. 023e105f4ecef8ad9ca31a8372d0c353")
	d.token = widget.NewPasswordEntry()
	d.folder = widget.NewEntry()
	d.chooseFolder = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), d.pickFolder)
	d.headers = widget.NewMultiLineEntry()
	d.headers.SetMinRowsVisible(3)
	d.headers.SetPlaceHolder("X-Team: studio\nX-Api-Key: …")
	d.meta = widget.NewMultiLineEntry()
	d.meta.SetMinRowsVisible(3)
	d.meta.SetPlaceHolder("project=spring\nowner=ana")
	d.chunk = widget.NewEntry()
	d.fields = container.NewStack()
	d.keyNote = widget.NewLabel(d.note)
	d.keyNote.Wrapping = fyne.TextWrapWord
	d.keyNote.Importance = widget.WarningImportance
	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance

	d.cancelBtn = widget.NewButton("Cancel", func() {
		d.showList()
	})
	d.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), d.submit)
	d.saveBtn.Importance = widget.HighImportance
	for _, e := range []*widget.Entry{d.name, d.url, d.auth, d.account, d.token, d.folder, d.chunk} {
		e.OnSubmitted = func(string) { d.submit() } // Enter saves
	}

	d.formView = container.NewBorder(d.formTitle, messageArea(d.problem, 2), nil, nil,
		container.NewVScroll(container.NewVBox(d.fields, d.keyNote)))
}

// openForm shows the form: empty to add one, or filled from a saved
// destination (its secrets left out) to edit it.
func (d *destDialog) openForm(name string) {
	for _, e := range []*widget.Entry{d.name, d.url, d.auth, d.account, d.token, d.folder, d.headers, d.meta, d.chunk} {
		e.SetText("")
	}
	d.forgetAuth.SetChecked(false)
	d.problem.SetText("")
	d.editing, d.editKind, d.savedHeaders, d.builtinURL = "", "", nil, ""
	kind := engine.KindTus
	if name == "" {
		d.formTitle.SetText("Add a destination")
		d.name.Enable()
		d.folder.SetText(defaultReceiveFolder())
	} else {
		dest, ok := d.eng.SavedDestination(name)
		if !ok {
			d.say(fmt.Sprintf("There is no saved destination %q any more.", name), widget.WarningImportance)
			d.reload()
			return
		}
		kind = destKind(dest)
		d.editing, d.editKind, d.savedHeaders = name, kind, dest.SecretHeaders
		d.formTitle.SetText("Edit " + name)
		d.name.SetText(name)
		d.name.Disable()
		d.url.SetText(dest.URL)
		d.account.SetText(dest.Account)
		d.folder.SetText(dest.Dir)
		if kind == engine.KindBuiltin {
			d.builtinURL = dest.URL
			d.url.SetText("")
		}
		d.headers.SetText(headerLines(dest.Header, dest.SecretHeaders))
		d.meta.SetText(metaLines(dest.Meta))
		if dest.ChunkSize > 0 {
			d.chunk.SetText(exactSize(dest.ChunkSize))
		}
	}
	d.kind.SetSelected(kindLabel(kind)) // lays out the fields
	d.layoutFields()
	d.listView.Hide()
	d.formView.Show()
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.saveBtn})
}

// layoutFields shows the fields of the chosen kind. The entries are kept
// across kinds, so switching back and forth loses nothing typed.
func (d *destDialog) layoutFields() {
	if d.fields == nil {
		return
	}
	k := kindByLabel(d.kind.Selected)
	items := []*widget.FormItem{
		{Text: "Kind", Widget: d.kind, HintText: kindAbout(k)},
	}
	nameHint := "Letters, digits, dots, dashes, underscores: e.g. studio-1."
	if d.editing != "" {
		nameHint = "A destination keeps its name: its jobs know it by it."
	}
	items = append(items, &widget.FormItem{Text: "Name", Widget: d.name, HintText: nameHint})

	sameSecrets := d.editing != "" && d.editKind == k
	keepHint := func(what string) string {
		if sameSecrets {
			return "Kept in the keychain, not shown. Leave it empty to keep it."
		}
		return what
	}
	envHint := func(hint string) string {
		if name := strings.TrimSpace(d.name.Text); name != "" && os.Getenv(keychain.TokenEnv(name)) != "" {
			return hint + " " + keychain.TokenEnv(name) + " is set: it is used instead of a saved token."
		}
		return hint
	}
	tokenPlaceholder := func(s string) {
		if sameSecrets {
			d.token.SetPlaceHolder("unchanged")
		} else {
			d.token.SetPlaceHolder(s)
		}
	}
	secrets := true
	switch k {
	case engine.KindTus, engine.KindBackend:
		urlHint := "Where uploads are created, e.g. https://tus.example.com/files/."
		d.url.SetPlaceHolder("https://tus.example.com/files/")
		if k == engine.KindBackend {
			urlHint = "Ferry asks it for each file; it answers with a one-time tus URL."
			d.url.SetPlaceHolder("https://example.com/api/upload-url")
		}
		authSaved := sameSecrets || (d.editing != "" && (d.editKind == engine.KindTus || d.editKind == engine.KindBackend))
		authSaved = authSaved && slices.Contains(d.savedHeaders, "Authorization")
		authHint := "Optional. Sent as the Authorization header; kept in the keychain."
		authBox := fyne.CanvasObject(d.auth)
		if authSaved {
			d.auth.SetPlaceHolder("unchanged")
			authHint = "Kept in the keychain, not shown. Type a new value to change it."
			authBox = container.NewVBox(d.auth, d.forgetAuth)
		} else {
			d.auth.SetPlaceHolder("e.g. Bearer abc123")
		}
		items = append(items,
			&widget.FormItem{Text: "URL", Widget: d.url, HintText: urlHint},
			&widget.FormItem{Text: "Authorization", Widget: authBox, HintText: authHint},
			&widget.FormItem{Text: "Headers", Widget: d.headers,
				HintText: "One per line, Name: value. Secret ones go to the keychain."},
			&widget.FormItem{Text: "Metadata", Widget: d.meta,
				HintText: "One per line, key=value: sent with every file, besides its name."},
		)
		if k == engine.KindTus {
			d.chunk.SetPlaceHolder("e.g. 8 MiB")
			items = append(items, &widget.FormItem{Text: "Chunk size", Widget: d.chunk,
				HintText: "For servers or proxies that limit a request. Empty: one request a file."})
		}
	case engine.KindCloudflare:
		tokenPlaceholder("Paste the API token")
		d.chunk.SetPlaceHolder("50 MiB")
		items = append(items,
			&widget.FormItem{Text: "Account id", Widget: d.account, HintText: "In your dashboard's address, after dash.cloudflare.com/."},
			&widget.FormItem{Text: "API token", Widget: d.token, HintText: envHint(keepHint("Needs Stream: Edit. Kept in the keychain, never shown again."))},
			&widget.FormItem{Text: "Metadata", Widget: d.meta, HintText: "One per line, key=value, e.g. requiresignedurls=true."},
			&widget.FormItem{Text: "Chunk size", Widget: d.chunk, HintText: "5 MiB to 200 MiB in steps of 256 KiB. Empty: 50 MiB."},
		)
	case engine.KindVimeo:
		tokenPlaceholder("Paste the access token")
		items = append(items,
			&widget.FormItem{Text: "Access token", Widget: d.token, HintText: envHint(keepHint("A personal access token with the upload scope. Kept in the keychain."))},
		)
	case engine.KindBuiltin:
		secrets = false
		items = append(items, &widget.FormItem{Text: "Folder", Widget: container.NewBorder(nil, nil, nil, d.chooseFolder, d.folder),
			HintText: "Received files land here. Only this computer can send to it."})
	}
	d.fields.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
	d.fields.Refresh()
	d.keyNote.Hidden = !secrets || d.note == ""
	d.keyNote.Refresh()
}

// pickFolder asks for the built-in receiver's folder.
func (d *destDialog) pickFolder() {
	fd := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			d.showProblem(sentence(err))
			return
		}
		if dir != nil {
			d.folder.SetText(dir.Path())
		}
	}, d.win)
	for p := strings.TrimSpace(d.folder.Text); p != "" && p != filepath.Dir(p); p = filepath.Dir(p) {
		if l, err := storage.ListerForURI(storage.NewFileURI(p)); err == nil {
			fd.SetLocation(l)
			break
		}
	}
	fd.Resize(fyne.NewSize(720, 520))
	fd.Show()
}

func (d *destDialog) showProblem(text string) {
	d.problem.SetText(text)
}

// submit checks the form and saves the destination; the form stays, with
// everything typed, when something is wrong.
func (d *destDialog) submit() {
	dest, secrets, keep, err := d.read()
	if err != nil {
		d.showProblem(sentence(err))
		return
	}
	d.problem.SetText("")
	d.saveBtn.Disable()
	d.cancelBtn.Disable()
	editing := d.editing
	d.background(func() error {
		for _, k := range keep { // the engine keeps what was saved
			if h, ok := strings.CutPrefix(k, secretHeaderPre); ok {
				if dest.Header == nil {
					dest.Header = http.Header{}
				}
				dest.Header.Set(h, engine.KeepSecret)
			} else {
				secrets[k] = engine.KeepSecret
			}
		}
		return d.eng.SaveDestination(dest, secrets)
	}, func(err error) {
		d.saveBtn.Enable()
		d.cancelBtn.Enable()
		if err != nil {
			d.showProblem(sentence(err))
			return
		}
		verb := "Saved"
		if editing == "" {
			verb = "Added"
		}
		d.reload()
		d.select_(dest.Name)
		d.showList()
		d.say(fmt.Sprintf("%s %s. Test connection checks that it answers.", verb, dest.Name), widget.SuccessImportance)
		d.changed()
	})
}

// read makes the destination the form describes: its settings, the
// secrets typed, and the keys of the saved secrets it keeps.
func (d *destDialog) read() (engine.Destination, map[string]string, []string, error) {
	k := kindByLabel(d.kind.Selected)
	name := strings.TrimSpace(d.name.Text)
	dest := engine.Destination{Name: name, Kind: k}
	secrets := map[string]string{}
	var keep []string
	if d.editing != "" {
		dest.Name, name = d.editing, d.editing
	}
	if name == "" {
		return dest, nil, nil, errors.New("Give the destination a name, e.g. studio-1.")
	}
	if _, taken := d.eng.SavedDestination(name); taken && d.editing == "" {
		return dest, nil, nil, fmt.Errorf("There is already a destination named %s: choose another name, or edit that one.", name)
	}
	sameSecrets := d.editing != "" && d.editKind == k
	envToken := os.Getenv(keychain.TokenEnv(name)) != ""
	token := strings.TrimSpace(d.token.Text)
	needToken := func(what string) error {
		switch {
		case token != "":
			secrets[secretTokenKey] = token
		case sameSecrets && !envToken:
			keep = append(keep, secretTokenKey)
		case !sameSecrets && !envToken:
			return fmt.Errorf("Paste the %s: Ferry needs it to upload there.", what)
		}
		return nil
	}
	var err error
	switch k {
	case engine.KindTus, engine.KindBackend:
		raw := strings.TrimSpace(d.url.Text)
		switch {
		case raw == "" && k == engine.KindBackend:
			return dest, nil, nil, errors.New("Give your backend's URL, the one Ferry asks for an upload URL, e.g. https://example.com/api/upload-url.")
		case raw == "":
			return dest, nil, nil, errors.New("Give the upload URL, e.g. https://tus.example.com/files/.")
		case strings.Contains(raw, "REDACTED"):
			return dest, nil, nil, errors.New("The URL still says REDACTED where a secret was: type the whole URL again, or put the secret in the Authorization field.")
		}
		dest.URL = raw
		var kept []string
		if dest.Header, kept, err = parseHeaderLines(d.headers.Text); err != nil {
			return dest, nil, nil, err
		}
		wasTusLike := d.editing != "" && (d.editKind == engine.KindTus || d.editKind == engine.KindBackend)
		for _, h := range kept {
			if !wasTusLike || !slices.Contains(d.savedHeaders, h) {
				return dest, nil, nil, fmt.Errorf("No value of the header %s is saved: type its value instead of %s.", h, keptValue)
			}
			keep = append(keep, secretHeaderPre+h)
		}
		auth := strings.TrimSpace(d.auth.Text)
		switch {
		case auth != "" && (dest.Header.Get("Authorization") != "" || slices.Contains(kept, "Authorization")):
			return dest, nil, nil, errors.New("Authorization is both in its own field and in the headers: keep one.")
		case auth != "":
			dest.Header.Set("Authorization", auth)
		case wasTusLike && slices.Contains(d.savedHeaders, "Authorization") && !d.forgetAuth.Checked &&
			dest.Header.Get("Authorization") == "" && !slices.Contains(kept, "Authorization"):
			keep = append(keep, secretHeaderPre+"Authorization")
		}
		if dest.Meta, err = parseMetaLines(d.meta.Text); err != nil {
			return dest, nil, nil, err
		}
		if k == engine.KindTus {
			if dest.ChunkSize, err = parseChunk(d.chunk.Text); err != nil {
				return dest, nil, nil, err
			}
		}
	case engine.KindCloudflare:
		dest.Account = strings.TrimSpace(d.account.Text)
		if dest.Account == "" {
			return dest, nil, nil, errors.New("Give your Cloudflare account id: it is in your dashboard's address, after dash.cloudflare.com/.")
		}
		if err := needToken("Cloudflare API token"); err != nil {
			return dest, nil, nil, err
		}
		if dest.Meta, err = parseMetaLines(d.meta.Text); err != nil {
			return dest, nil, nil, err
		}
		if dest.ChunkSize, err = parseChunk(d.chunk.Text); err != nil {
			return dest, nil, nil, err
		}
	case engine.KindVimeo:
		if err := needToken("Vimeo access token"); err != nil {
			return dest, nil, nil, err
		}
	case engine.KindBuiltin:
		dir := strings.TrimSpace(d.folder.Text)
		if dir == "" {
			return dest, nil, nil, errors.New("Choose the folder where received files land.")
		}
		if dest.Dir, err = filepath.Abs(dir); err != nil {
			return dest, nil, nil, fmt.Errorf("%s is not a folder Ferry can use: %v", dir, err)
		}
		dest.URL = d.builtinURL
		if dest.URL == "" {
			if dest.URL, err = receiverURL(); err != nil {
				return dest, nil, nil, err
			}
		}
	}
	if err := dest.Check(); err != nil {
		return dest, nil, nil, err
	}
	return dest, secrets, keep, nil
}

// receiverURL gives a new built-in receiver a loopback port of its own,
// kept with it so upload URLs stay valid across runs.
func receiverURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("Cannot find a free port on this computer for the receiver: %v", err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String() + "/files/", nil
}

// defaultReceiveFolder is where a new built-in receiver puts files.
func defaultReceiveFolder() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Ferry", "Received")
	}
	return ""
}

// headerLines shows headers as the form edits them, one "Name: value" a
// line, secret ones (kept in the keychain) with keptValue.
func headerLines(h http.Header, secret []string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			lines = append(lines, k+": "+v)
		}
	}
	for _, k := range secret {
		if k != "Authorization" { // it has a field of its own
			lines = append(lines, k+": "+keptValue)
		}
	}
	return strings.Join(lines, "\n")
}

// parseHeaderLines reads "Name: value" lines; kept lists the headers
// whose value is keptValue.
func parseHeaderLines(text string) (h http.Header, kept []string, err error) {
	hdr := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, nil, fmt.Errorf("Line %d of the headers, %q, is not Name: value.", i+1, line)
		}
		if v == "" {
			return nil, nil, fmt.Errorf("The header %s on line %d has no value.", k, i+1)
		}
		if v == keptValue {
			kept = append(kept, http.CanonicalHeaderKey(k))
			continue
		}
		hdr.Add(k, v)
	}
	if len(hdr) == 0 {
		return nil, kept, nil
	}
	return hdr, kept, nil
}

// metaLines shows metadata one "key=value" a line.
func metaLines(m map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		lines = append(lines, k+"="+m[k])
	}
	return strings.Join(lines, "\n")
}

// parseMetaLines reads "key=value" lines (a value may be empty).
func parseMetaLines(text string) (map[string]string, error) {
	m := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("Line %d of the metadata, %q, is not key=value.", i+1, line)
		}
		m[k] = strings.TrimSpace(v)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// parseChunk reads a chunk size; empty or 0 is none.
func parseChunk(text string) (int64, error) {
	t := strings.TrimSpace(text)
	if t == "" || t == "0" {
		return 0, nil
	}
	v, err := humanize.ParseBytes(t)
	if err != nil || v > 1<<40 {
		return 0, fmt.Errorf("%q is not a chunk size: write e.g. 8 MiB, or 0 for one streaming request.", t)
	}
	return int64(v), nil
}
