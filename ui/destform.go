package ui

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
	"github.com/ferry-app/ferry/keychain"
)

// field is one input of the destination form: the name, or a slot of
// the destination a provider's field fills. The form shows a provider's
// fields in the slots' order, so errors read top down.
type field = dest.Slot

const (
	fieldName    field = 0
	fieldURL           = dest.SlotURL
	fieldAuth          = dest.SlotAuth
	fieldAccount       = dest.SlotAccount
	fieldToken         = dest.SlotToken
	fieldFolder        = dest.SlotFolder
	fieldHeaders       = dest.SlotHeaders
	fieldMeta          = dest.SlotMeta
	fieldChunk         = dest.SlotChunk
	numFields          = dest.SlotChunk + 1
)

// formCheck is what the form describes, or what is wrong with it: a
// sentence per field that needs a fix.
type formCheck struct {
	dest    engine.Destination
	secrets map[string]string // typed secrets, by keychain key
	keep    []string          // keys of saved secrets kept as they are
	errs    [numFields]string
}

func (c *formCheck) ok() bool { return c.first() == numFields }

// first is the first field, in the form's order, that needs a fix.
func (c *formCheck) first() field {
	for f, e := range c.errs {
		if e != "" {
			return field(f)
		}
	}
	return numFields
}

func (c *formCheck) fail(f field, format string, args ...any) {
	if c.errs[f] == "" { // the first problem of a field is the one to fix first
		c.errs[f] = fmt.Sprintf(format, args...)
	}
}

func (d *destDialog) buildForm() {
	var labels []string
	for _, p := range dest.Providers() {
		labels = append(labels, p.Label)
	}
	d.formTitle = dialogHeading("")
	d.kind = widget.NewSelect(labels, func(string) { d.layoutFields(); d.recheck() })
	d.name = widget.NewEntry()
	d.name.SetPlaceHolder("e.g. Studio NAS")
	d.url = widget.NewEntry()
	d.auth = widget.NewPasswordEntry()
	d.forgetAuth = widget.NewCheck("Forget the saved Authorization", func(bool) { d.recheck() })
	d.account = widget.NewEntry()
	d.token = widget.NewPasswordEntry()
	d.folder = widget.NewEntry()
	d.chooseFolder = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), d.pickFolder)
	d.headers = widget.NewMultiLineEntry()
	d.headers.SetMinRowsVisible(3)
	d.meta = widget.NewMultiLineEntry()
	d.meta.SetMinRowsVisible(3)
	d.chunk = widget.NewEntry()
	for f := range d.errLabels {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.DangerImportance
		l.SizeName = theme.SizeNameCaptionText
		l.Hide()
		d.errLabels[f] = l
	}
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
	for _, e := range d.entries() {
		e.OnChanged = func(string) { d.recheck() }
		if !e.MultiLine {
			e.OnSubmitted = func(string) { d.submit() } // Enter saves
		}
	}

	d.formScroll = container.NewVScroll(container.NewVBox(d.fields, d.keyNote))
	d.formView = container.NewBorder(d.formTitle, messageArea(d.problem, 2), nil, nil, d.formScroll)
}

// entries are the form's entries, in field order (entries()[fieldURL] is
// the URL's).
func (d *destDialog) entries() []*widget.Entry {
	return []*widget.Entry{d.name, d.url, d.auth, d.account, d.token, d.folder, d.headers, d.meta, d.chunk}
}

// openForm shows the form: empty to add one, or filled from a saved
// destination (its secrets left out) to edit it.
func (d *destDialog) openForm(name string) {
	d.checked = false // errors show from the first Save on
	for _, e := range d.entries() {
		e.SetText("")
	}
	d.forgetAuth.SetChecked(false)
	d.showErrors(&formCheck{})
	d.problem.SetText("")
	d.editing, d.editProv, d.savedHeaders, d.builtinURL = "", nil, nil, ""
	prov := dest.Destination{}.Provider()
	if name == "" {
		d.formTitle.SetText("Add a destination")
		d.name.Enable()
		d.folder.SetText(defaultReceiveFolder())
	} else {
		saved, ok := d.eng.SavedDestination(name)
		if !ok {
			d.say(fmt.Sprintf("There is no saved destination %q any more.", name), widget.WarningImportance)
			d.reload()
			return
		}
		prov = saved.Provider()
		d.editing, d.editProv, d.savedHeaders = name, prov, saved.SecretHeaders
		d.formTitle.SetText("Edit " + name)
		d.name.SetText(name)
		d.name.Disable()
		d.url.SetText(saved.URL)
		d.account.SetText(saved.Account)
		d.folder.SetText(saved.Dir)
		if prov.Served {
			d.builtinURL = saved.URL
			d.url.SetText("")
		}
		d.headers.SetText(headerLines(saved.Header, saved.SecretHeaders))
		d.meta.SetText(metaLines(saved.Meta))
		if saved.ChunkSize > 0 {
			d.chunk.SetText(exactSize(saved.ChunkSize))
		}
	}
	d.kind.SetSelected(prov.Label) // lays out the fields
	d.layoutFields()
	d.listView.Hide()
	d.formView.Show()
	d.formScroll.ScrollToTop() // a form opens at its first field
	if c := fyne.CurrentApp().Driver().CanvasForObject(d.formView); c != nil {
		c.Unfocus()
	}
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.saveBtn})
}

// item is a form row: the field's widget with its error under it.
func (d *destDialog) item(f field, label string, w fyne.CanvasObject, hint string) *widget.FormItem {
	return &widget.FormItem{Text: label, Widget: container.NewVBox(w, d.errLabels[f]), HintText: hint}
}

// layoutFields shows the fields of the chosen kind, as its provider
// describes them. The entries are kept across kinds, so switching back and
// forth loses nothing typed.
func (d *destDialog) layoutFields() {
	if d.fields == nil {
		return
	}
	p := providerByLabel(d.kind.Selected)
	items := []*widget.FormItem{
		{Text: "Kind", Widget: d.kind, HintText: p.About},
	}
	nameHint := "How Ferry lists it, e.g. Studio NAS."
	if d.editing != "" {
		nameHint = "A destination keeps its name: its jobs know it by it."
	}
	items = append(items, d.item(fieldName, "Name", d.name, nameHint))
	for _, f := range p.Fields {
		items = append(items, d.fieldItem(p, f))
	}
	d.fields.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
	d.fields.Refresh()
	d.keyNote.Hidden = !p.Secrets() || d.note == ""
	d.keyNote.Refresh()
}

// fieldItem is a provider's field as a form row: its entry, with what a
// saved secret, the environment or a folder picker adds.
func (d *destDialog) fieldItem(p *dest.Provider, f dest.Field) *widget.FormItem {
	e := d.entries()[f.Slot]
	e.SetPlaceHolder(f.Placeholder)
	hint := f.Help
	var w fyne.CanvasObject = e
	switch f.Slot {
	case fieldAuth:
		if d.authSaved() {
			e.SetPlaceHolder("unchanged")
			hint = "Kept in the keychain, not shown. Type a new value to change it."
			w = container.NewVBox(e, d.forgetAuth)
		}
	case fieldToken:
		if d.editing != "" && d.editProv == p {
			e.SetPlaceHolder("unchanged")
			hint = "Kept in the keychain, not shown. Leave it empty to keep it."
		}
		if name := strings.TrimSpace(d.name.Text); name != "" && os.Getenv(keychain.TokenEnv(name)) != "" {
			hint += " " + keychain.TokenEnv(name) + " is set: it is used instead of a saved token."
		}
	case fieldFolder:
		w = container.NewBorder(nil, nil, nil, d.chooseFolder, e)
	}
	return d.item(f.Slot, f.Label, w, hint)
}

// authSaved: the destination edited keeps an Authorization in the
// keychain, and the kind chosen is one that sends it.
func (d *destDialog) authSaved() bool {
	_, ok := providerByLabel(d.kind.Selected).FieldOf(fieldAuth)
	return ok && d.hadAuth() && slices.Contains(d.savedHeaders, "Authorization")
}

// hadAuth: the destination edited was of a kind with an Authorization
// field, whose saved headers the form may keep.
func (d *destDialog) hadAuth() bool {
	if d.editing == "" {
		return false
	}
	_, ok := d.editProv.FieldOf(fieldAuth)
	return ok
}

// pickFolder asks for the built-in receiver's folder.
func (d *destDialog) pickFolder() {
	fd := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			d.showProblem(sentence(err))
			return
		}
		if dir != nil {
			d.folder.SetText(localPath(dir))
		}
	}, d.win)
	for p := strings.TrimSpace(d.folder.Text); p != "" && p != filepath.Dir(p); p = filepath.Dir(p) {
		if l, err := storage.ListerForURI(storage.NewFileURI(p)); err == nil {
			fd.SetLocation(l)
			break
		}
	}
	fd.Resize(fitSize(d.win, 720, 520))
	fd.Show()
}

func (d *destDialog) showProblem(text string) {
	d.problem.SetText(text)
}

// showErrors puts each field's sentence under it, and hides the others.
func (d *destDialog) showErrors(c *formCheck) {
	for f, l := range d.errLabels {
		if c.errs[f] == "" {
			if l.Visible() {
				l.SetText("")
				l.Hide()
			}
			continue
		}
		l.SetText(c.errs[f])
		l.Show()
	}
}

// recheck follows the typing once a Save has shown errors: a sentence
// goes as soon as its field is fixed.
func (d *destDialog) recheck() {
	if !d.checked || d.name == nil {
		return
	}
	c := d.read()
	d.showErrors(c)
	if c.ok() {
		d.problem.SetText("")
	}
}

// submit checks the form and saves the destination; the form stays, with
// everything typed, when something is wrong.
func (d *destDialog) submit() {
	d.checked = true
	c := d.read()
	d.showErrors(c)
	if !c.ok() {
		d.showProblem("Fix what is marked above, then Save.")
		d.focus(c.first())
		return
	}
	to, secrets := c.dest, c.secrets
	if to.Provider().Served && to.URL == "" {
		u, err := receiverURL()
		if err != nil {
			d.showProblem(err.Error())
			return
		}
		to.URL = u
	}
	d.problem.SetText("")
	d.saveBtn.Disable()
	d.cancelBtn.Disable()
	editing := d.editing
	d.background(func() error {
		for _, k := range c.keep { // the engine keeps what was saved
			if h, ok := strings.CutPrefix(k, keychain.HeaderPrefix); ok {
				if to.Header == nil {
					to.Header = http.Header{}
				}
				to.Header.Set(h, engine.KeepSecret)
			} else {
				secrets[k] = engine.KeepSecret
			}
		}
		return d.eng.SaveDestination(to, secrets)
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
		d.select_(to.Name)
		d.showList()
		d.say(fmt.Sprintf("%s %s. Test connection checks that it answers and takes its credentials.", verb, to.Name), widget.SuccessImportance)
		d.changed()
	})
}

// focus puts the cursor in field f, where the first fix is needed, and
// scrolls the form to show it with its sentence.
func (d *destDialog) focus(f field) {
	if f >= numFields {
		return
	}
	e := d.entries()[f]
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && !e.Disabled() {
		c.Focus(e)
	}
	d.formScroll.Content.Refresh() // lay the sentences just shown out first
	d.formScroll.Refresh()
	drv := fyne.CurrentApp().Driver()
	top := drv.AbsolutePositionForObject(e).Y - drv.AbsolutePositionForObject(d.formScroll).Y + d.formScroll.Offset.Y
	bottom := drv.AbsolutePositionForObject(d.errLabels[f]).Y - drv.AbsolutePositionForObject(d.formScroll).Y +
		d.formScroll.Offset.Y + d.errLabels[f].Size().Height
	if view := d.formScroll.Size().Height; top < d.formScroll.Offset.Y || bottom > d.formScroll.Offset.Y+view {
		d.formScroll.ScrollToOffset(fyne.NewPos(0, max(min(top-theme.Padding(), bottom-view), 0)))
	}
}

// read makes the destination the form describes: its settings, the
// secrets typed, and the keys of the saved secrets it keeps; or, for each
// field that needs a fix, a sentence. It changes nothing.
func (d *destDialog) read() *formCheck {
	p := providerByLabel(d.kind.Selected)
	name := strings.TrimSpace(d.name.Text)
	c := &formCheck{dest: engine.Destination{Name: name, Kind: p.Kind}, secrets: map[string]string{}}
	if d.editing != "" {
		c.dest.Name, name = d.editing, d.editing
	}
	if err := engine.CheckName(name); err != nil {
		c.fail(fieldName, "%s", err.Error())
	} else if _, taken := d.eng.SavedDestination(name); taken && d.editing == "" {
		c.fail(fieldName, "There is already a destination named %s: choose another name, or edit that one.", name)
	} else if other, clash := d.eng.NameClash(name); clash && d.editing == "" {
		c.fail(fieldName, "%s is too close to the destination %s (they differ only in case or punctuation): choose another name.", name, other)
	}
	if slices.ContainsFunc(p.Fields, isHeaderField) {
		d.readHeaders(c, p) // Authorization and Headers are read together
	}
	for _, f := range p.Fields {
		d.readField(c, p, f)
		if !f.Secret() {
			if err := c.dest.CheckField(f); err != nil {
				c.fail(f.Slot, "%s", sentence(err))
			}
		}
	}
	if p.Served {
		c.dest.URL = d.builtinURL // a new receiver gets its port when saved
	}
	if c.ok() && !(p.Served && c.dest.URL == "") {
		// What the fields cannot say alone (a header the transport
		// refuses, …) stands under the form, at the field that says
		// where files go.
		if err := c.dest.Check(); err != nil {
			c.fail(p.Fields[0].Slot, "%s", sentence(err))
		}
	}
	return c
}

// readField reads one field of the form into c; what it cannot read is
// its sentence. Checks of the value are the provider's.
func (d *destDialog) readField(c *formCheck, p *dest.Provider, f dest.Field) {
	to := &c.dest
	text := strings.TrimSpace(d.entries()[f.Slot].Text)
	var err error
	switch f.Slot {
	case fieldURL:
		if strings.Contains(text, "REDACTED") {
			c.fail(fieldURL, "The URL still says REDACTED where a secret was: type the whole URL again, or put the secret in the Authorization field.")
		}
		to.URL = text
	case fieldAccount:
		to.Account = text
	case fieldToken:
		envToken := to.Name != "" && os.Getenv(keychain.TokenEnv(to.Name)) != ""
		sameSecrets := d.editing != "" && d.editProv == p
		switch {
		case text != "":
			c.secrets[keychain.Token] = text
		case sameSecrets && !envToken:
			c.keep = append(c.keep, keychain.Token)
		case !sameSecrets && !envToken && f.Missing != "":
			c.fail(fieldToken, "%s", f.Missing)
		}
	case fieldFolder:
		if text != "" {
			if to.Dir, err = filepath.Abs(text); err != nil {
				c.fail(fieldFolder, "%s is not a folder Ferry can use: %v", text, err)
			}
		}
	case fieldMeta:
		if to.Meta, err = parseMetaLines(d.meta.Text); err != nil {
			c.fail(fieldMeta, "%s", err.Error())
		}
	case fieldChunk:
		if to.ChunkSize, err = parseChunk(d.chunk.Text); err != nil {
			c.fail(fieldChunk, "%s", err.Error())
		}
	}
}

func isHeaderField(f dest.Field) bool { return f.Slot == fieldAuth || f.Slot == fieldHeaders }

// readHeaders reads the Authorization field and the headers, those of
// them the provider has: a secret header shown as kept stays as saved.
func (d *destDialog) readHeaders(c *formCheck, p *dest.Provider) {
	var hdr http.Header
	var kept []string
	var err error
	if _, ok := p.FieldOf(fieldHeaders); ok {
		if hdr, kept, err = parseHeaderLines(d.headers.Text); err != nil {
			c.fail(fieldHeaders, "%s", err.Error())
		}
	}
	for _, h := range kept {
		if !d.hadAuth() || !slices.Contains(d.savedHeaders, h) {
			c.fail(fieldHeaders, "No value of the header %s is saved: type its value instead of %s.", h, keptValue)
		}
		c.keep = append(c.keep, keychain.HeaderPrefix+h)
	}
	if _, ok := p.FieldOf(fieldAuth); ok {
		auth := strings.TrimSpace(d.auth.Text)
		switch {
		case auth != "" && (hdr.Get("Authorization") != "" || slices.Contains(kept, "Authorization")):
			c.fail(fieldAuth, "Authorization is both in its own field and in the headers: keep one.")
		case auth != "":
			if hdr == nil {
				hdr = http.Header{}
			}
			hdr.Set("Authorization", auth)
		case d.authSaved() && !d.forgetAuth.Checked && hdr.Get("Authorization") == "" && !slices.Contains(kept, "Authorization"):
			c.keep = append(c.keep, keychain.HeaderPrefix+"Authorization")
		}
	}
	c.dest.Header = hdr
}

// receiverURL gives a new built-in receiver a loopback port of its own,
// kept with it so upload URLs stay valid across runs.
func receiverURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fault.Wrap(fault.CodeCannotListen, err, "Cannot find a free port on this computer for the receiver (%s).", fault.Cause(err))
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
// whose value is keptValue. No header is a nil map.
func parseHeaderLines(text string) (h http.Header, kept []string, err error) {
	hdr := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, err := engine.ParseHeader(line)
		if err != nil {
			return nil, nil, fmt.Errorf("Line %d of the headers: %w.", i+1, err)
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
		k, v, err := engine.ParseMeta(line)
		if err != nil {
			return nil, fmt.Errorf("Line %d of the metadata: %w.", i+1, err)
		}
		m[k] = v
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
	v, err := units.Parse(t)
	if err != nil || v > 1<<40 {
		return 0, fmt.Errorf("%q is not a chunk size: write e.g. 10 MB, or 0 for one streaming request.", t)
	}
	return v, nil
}
