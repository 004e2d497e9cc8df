package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/keychain"
)

// formField is one input of the form as a test fills it: the entry, a
// good value, and where the saved destination (or the keychain) shows it.
type formField struct {
	f      field
	entry  func(d *destDialog) *widget.Entry
	value  string
	secret string // the keychain key it is saved under ("" : not secret)
	saved  func(engine.Destination) string
}

var (
	fName    = formField{fieldName, func(d *destDialog) *widget.Entry { return d.name }, "", "", func(x engine.Destination) string { return x.Name }}
	fURL     = formField{fieldURL, func(d *destDialog) *widget.Entry { return d.url }, "https://tus.example.com/files/", "", func(x engine.Destination) string { return x.URL }}
	fAuth    = formField{fieldAuth, func(d *destDialog) *widget.Entry { return d.auth }, "Bearer s3cret", "header:Authorization", nil}
	fHeaders = formField{fieldHeaders, func(d *destDialog) *widget.Entry { return d.headers }, "X-Team: blue", "", func(x engine.Destination) string { return headerLines(x.Header, nil) }}
	fMeta    = formField{fieldMeta, func(d *destDialog) *widget.Entry { return d.meta }, "project=spring", "", func(x engine.Destination) string { return metaLines(x.Meta) }}
	fChunk   = formField{fieldChunk, func(d *destDialog) *widget.Entry { return d.chunk }, "10 MiB", "", func(x engine.Destination) string {
		if x.ChunkSize == 0 {
			return ""
		}
		return exactSize(x.ChunkSize)
	}}
	fAccount = formField{fieldAccount, func(d *destDialog) *widget.Entry { return d.account }, "0123456789abcdef0123456789abcdef", "", func(x engine.Destination) string { return x.Account }}
	fToken   = formField{fieldToken, func(d *destDialog) *widget.Entry { return d.token }, "t0ken-1", "token", nil}
	fFolder  = formField{fieldFolder, func(d *destDialog) *widget.Entry { return d.folder }, "", "", func(x engine.Destination) string { return x.Dir }}
)

// formKinds: each kind's required and optional fields, in form order.
var formKinds = []struct {
	kind               dest.Kind
	required, optional []formField
}{
	{dest.KindTus, []formField{fName, fURL}, []formField{fAuth, fHeaders, fMeta, fChunk}},
	{dest.KindBackend, []formField{fName, fURL}, []formField{fAuth, fHeaders, fMeta}},
	{dest.KindCloudflare, []formField{fName, fAccount, fToken}, []formField{fMeta, fChunk}},
	{dest.KindVimeo, []formField{fName, fToken}, nil},
	{dest.KindBuiltin, []formField{fName, fFolder}, nil},
	{dest.KindFerry, []formField{fName, fURL, fToken}, nil},
}

// TestDestinationFormEveryPath: every kind, added and edited, with each
// optional field empty or filled (every combination), saved and opened
// again; then each required field left empty. Nothing panics, the saved
// destination is what was typed, secrets stay in the keychain and are
// kept by an edit that leaves them empty, and each error stands at its
// field and goes once the field is fixed.
func TestDestinationFormEveryPath(t *testing.T) {
	e := newDestEnv(t)
	kc := keychain.Open(e.dir, nil)
	d := e.open(t, "")
	n := 0
	for _, k := range formKinds {
		for mask := 0; mask < 1<<len(k.optional); mask++ {
			n++
			name := fmt.Sprintf("Dest %d %s", n, k.kind)
			var filled []formField
			for i, f := range k.optional {
				if mask&(1<<i) != 0 {
					filled = append(filled, f)
				}
			}
			// Add.
			test.Tap(d.addBtn)
			d.kind.SetSelected(kindLabel(k.kind))
			fill(t, d, append(append([]formField{}, k.required...), filled...), name, e.dir)
			d.saveAndWait()
			if d.shown() != "" || !d.listView.Visible() {
				t.Fatalf("%s: add failed: %s", name, d.shown())
			}
			check(t, e, kc, name, k.kind, append(append([]formField{}, k.required...), filled...), k.optional, "")

			// Edit, changing nothing: secrets are kept, nothing else moves.
			d.select_(name)
			test.Tap(d.editBtn)
			for _, f := range append(append([]formField{}, k.required...), k.optional...) {
				if f.secret != "" && f.entry(d).Text != "" {
					t.Fatalf("%s: the secret %s is shown back", name, f.secret)
				}
			}
			d.saveAndWait()
			if d.shown() != "" {
				t.Fatalf("%s: unchanged edit failed: %s", name, d.shown())
			}
			check(t, e, kc, name, k.kind, append(append([]formField{}, k.required...), filled...), k.optional, "")

			// Edit, filling every field anew: the new secrets replace the old.
			d.select_(name)
			test.Tap(d.editBtn)
			for _, f := range append(append([]formField{}, k.required...), k.optional...) {
				if f.f == fieldName || f.f == fieldFolder {
					continue
				}
				f.entry(d).SetText("")
				test.Type(f.entry(d), f.value+edited(f))
			}
			d.saveAndWait()
			if d.shown() != "" {
				t.Fatalf("%s: full edit failed: %s", name, d.shown())
			}
			check(t, e, kc, name, k.kind, append(append([]formField{}, k.required...), k.optional...), nil, "2")
		}

		// Each required field left empty: its own sentence, at its place,
		// nothing saved; typing it in takes the sentence away.
		for _, miss := range k.required {
			n++
			name := fmt.Sprintf("Missing %d", n)
			test.Tap(d.addBtn)
			d.kind.SetSelected(kindLabel(k.kind))
			var rest []formField
			for _, f := range k.required {
				if f.f != miss.f {
					rest = append(rest, f)
				}
			}
			fill(t, d, rest, name, e.dir)
			miss.entry(d).SetText("")
			d.saveAndWait()
			if !d.formView.Visible() || d.errLabels[miss.f].Text == "" || !d.errLabels[miss.f].Visible() {
				t.Fatalf("%s without %d: no sentence at the field (shown %q)", k.kind, miss.f, d.shown())
			}
			for f, l := range d.errLabels {
				if field(f) != miss.f && l.Visible() {
					t.Fatalf("%s without %d: a sentence at field %d too: %q", k.kind, miss.f, f, l.Text)
				}
			}
			if _, ok := e.eng.SavedDestination(name); ok {
				t.Fatalf("%s without %d: saved", k.kind, miss.f)
			}
			fill(t, d, []formField{miss}, name, e.dir)
			if d.errLabels[miss.f].Visible() || d.problem.Text != "" {
				t.Fatalf("%s: the sentence stays once %d is fixed: %q", k.kind, miss.f, d.shown())
			}
			test.Tap(d.cancelBtn)
		}
	}
}

func edited(f formField) string {
	switch f.f {
	case fieldAuth, fieldToken:
		return "-new"
	case fieldHeaders:
		return "-2"
	case fieldMeta:
		return "2"
	}
	return ""
}

// fill types fs into the form (the name and folder get their test values).
func fill(t *testing.T, d *destDialog, fs []formField, name, dir string) {
	t.Helper()
	for _, f := range fs {
		v := f.value
		switch f.f {
		case fieldName:
			v = name
		case fieldFolder:
			v = dir + "/received " + name
		}
		f.entry(d).SetText("")
		test.Type(f.entry(d), v)
	}
}

// check compares the saved destination with what was typed: fields in
// filled have their value (plus suffix "2" after the full edit: edited),
// the empty ones nothing; secrets are in the keychain, never in the
// destination.
func check(t *testing.T, e *destEnv, kc *keychain.Keychain, name string, kind dest.Kind, filled, optional []formField, round string) {
	t.Helper()
	saved, ok := e.eng.SavedDestination(name)
	if !ok || saved.Provider().Kind != kind {
		t.Fatalf("%s: saved %+v (%v)", name, saved, ok)
	}
	has := map[field]bool{}
	for _, f := range filled {
		has[f.f] = true
		want := f.value
		if round != "" {
			want += edited(f)
		}
		switch {
		case f.secret != "":
			if v, err := kc.Get(name, f.secret); err != nil || v != want {
				t.Fatalf("%s: keychain %s = %q (%v), want %q", name, f.secret, v, err, want)
			}
		case f.f == fieldName, f.f == fieldFolder:
			if f.saved(saved) == "" {
				t.Fatalf("%s: field %d not saved", name, f.f)
			}
		default:
			if got := f.saved(saved); got != want {
				t.Fatalf("%s: field %d saved as %q, want %q", name, f.f, got, want)
			}
		}
	}
	for _, f := range optional {
		if has[f.f] {
			continue
		}
		if f.secret != "" {
			if v, err := kc.Get(name, f.secret); err == nil && v != "" {
				t.Fatalf("%s: keychain has %s = %q, typed none", name, f.secret, v)
			}
		} else if got := f.saved(saved); got != "" {
			t.Fatalf("%s: field %d saved as %q, typed none", name, f.f, got)
		}
	}
	for k, v := range saved.Header {
		if strings.EqualFold(k, "Authorization") {
			t.Fatalf("%s: the Authorization is in the destination record: %v", name, v)
		}
	}
}

// The crash of issue 13: a token typed with the headers box empty.
func TestDestinationTokenWithoutHeadersSaves(t *testing.T) {
	e := newDestEnv(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	test.Type(d.name, "office")
	test.Type(d.url, "https://tus.example.com/files/")
	test.Type(d.auth, "Bearer abc")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("save: %s", d.shown())
	}
	// The remedy a failed row offers: Check the destination → new token → Save.
	d = e.open(t, "office")
	test.Type(d.auth, "Bearer def")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("edit: %s", d.shown())
	}
	if v, err := keychain.Open(e.dir, nil).Get("office", "header:Authorization"); err != nil || v != "Bearer def" {
		t.Fatalf("keychain: %q %v", v, err)
	}
}

// Errors stand at their fields in the form's order, and the first gets
// the cursor.
func TestDestinationFormErrorsInFieldOrder(t *testing.T) {
	e := newDestEnv(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	d.kind.SetSelected(kindLabel(dest.KindCloudflare))
	test.Type(d.account, "abc 123")
	test.Type(d.chunk, "3 MiB")
	d.saveAndWait()
	want := []field{fieldName, fieldAccount, fieldToken, fieldChunk}
	var got []field
	for f, l := range d.errLabels {
		if l.Visible() {
			got = append(got, field(f))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("errors at %v, want %v: %s", got, want, d.shown())
	}
	if !strings.Contains(d.errLabels[fieldAccount].Text, "32") || !strings.Contains(d.errLabels[fieldToken].Text, "API token") {
		t.Fatalf("sentences: %s", d.shown())
	}
	if e.win.Canvas().Focused() != d.name {
		t.Fatal("the cursor is not in the first field to fix")
	}
	// A name with spaces is a name.
	test.Type(d.name, "Studio NAS")
	if d.errLabels[fieldName].Visible() {
		t.Fatalf("a name with spaces: %q", d.errLabels[fieldName].Text)
	}
	d.account.SetText("0123456789ABCDEF0123456789abcdef")
	d.chunk.SetText("")
	test.Type(d.token, "tok")
	if d.shown() != "" && d.problem.Text == "" {
		t.Fatalf("fixed, still shown: %s", d.shown())
	}
	d.saveAndWait()
	if _, ok := e.eng.SavedDestination("Studio NAS"); !ok {
		t.Fatalf("not saved: %s", d.shown())
	}
	// A name that differs only in case would share FERRY_TOKEN_STUDIO_NAS.
	test.Tap(d.addBtn)
	test.Type(d.name, "studio nas")
	d.kind.SetSelected(kindLabel(dest.KindVimeo))
	test.Type(d.token, "tok")
	d.saveAndWait()
	if !strings.Contains(d.errLabels[fieldName].Text, "too close to the destination Studio NAS") {
		t.Fatalf("a name differing in case: %q", d.shown())
	}
	if err := e.eng.SaveDestination(engine.Destination{Name: "studio_nas", Kind: dest.KindTus, URL: "https://x.example/files/"}, nil); err == nil {
		t.Fatal("the engine saved a name that clashes")
	}
}

// On a small screen the form scrolls to the first field to fix, so its
// sentence is in view; a form opens at its top.
func TestDestinationFormScrollsToTheFirstError(t *testing.T) {
	e := newDestEnv(t)
	e.win.Resize(fyne.NewSize(640, 420))
	d := e.open(t, "")
	test.Tap(d.addBtn)
	test.Type(d.name, "small")
	test.Type(d.url, "https://tus.example.com/files/")
	test.Type(d.meta, "not a pair")
	d.saveAndWait()
	drv := fyne.CurrentApp().Driver()
	l := d.errLabels[fieldMeta]
	top, bottom := drv.AbsolutePositionForObject(d.formScroll).Y, drv.AbsolutePositionForObject(d.formScroll).Y+d.formScroll.Size().Height
	if y := drv.AbsolutePositionForObject(l).Y; !l.Visible() || y < top || y+l.Size().Height > bottom+1 {
		t.Fatalf("the sentence at %v is out of the view %v–%v (offset %v)", y, top, bottom, d.formScroll.Offset)
	}
	test.Tap(d.cancelBtn)
	test.Tap(d.addBtn)
	if d.formScroll.Offset.Y != 0 {
		t.Fatalf("a new form opens scrolled to %v", d.formScroll.Offset)
	}
}
