package dest

import (
	"strings"
	"testing"

	"github.com/ferry-app/ferry/fault"
)

// TestProvidersDescribeThemselves: every provider can be offered by the
// window and the command line from its description alone: a kind that
// parses, a label and a short name of its own, a place in the list of its
// own, fields with labels and options, and a sentence for what it needs.
func TestProvidersDescribeThemselves(t *testing.T) {
	labels, ranks := map[string]Kind{}, map[int]Kind{}
	ps := Providers()
	if len(ps) < 6 || ps[0].Kind != KindTus {
		t.Fatalf("providers %v; want tus first of at least 6", Kinds())
	}
	for _, p := range ps {
		if k, err := ParseKind(string(p.Kind)); err != nil || k != p.Kind {
			t.Errorf("%s: ParseKind gives %q, %v", p.Kind, k, err)
		}
		for _, l := range []string{p.Label, p.Short} {
			if other, ok := labels[l]; ok && other != p.Kind {
				t.Errorf("%s and %s are both labelled %q", p.Kind, other, l)
			}
			labels[l] = p.Kind
		}
		if other, ok := ranks[p.Rank]; ok {
			t.Errorf("%s and %s share rank %d", p.Kind, other, p.Rank)
		}
		ranks[p.Rank] = p.Kind
		if _, token := p.FieldOf(SlotToken); p.TokenAPI && !token {
			t.Errorf("%s opens an API with a token it does not ask for", p.Kind)
		}
		if p.About == "" || len(p.Fields) == 0 {
			t.Errorf("%s: no About or no fields", p.Kind)
		}
		last := Slot(0)
		for _, f := range p.Fields {
			if f.Label == "" || f.Help == "" || f.Flag() == "" {
				t.Errorf("%s: field %d lacks a label, help or option", p.Kind, f.Slot)
			}
			if f.Slot <= last {
				t.Errorf("%s: fields out of the form's order at %s", p.Kind, f.Label)
			}
			last = f.Slot
		}
		if w := (Destination{Kind: p.Kind, URL: "https://h/files/", Account: "a", Dir: "/d"}).Where(); w == "" {
			t.Errorf("%s: Where says nothing", p.Kind)
		}
	}
	if _, err := ParseKind("ftp"); err == nil || !strings.Contains(err.Error(), Kinds()) {
		t.Fatalf("ParseKind(ftp): %v", err)
	}
}

// TestCheckSaysTheFirstMissingField: an empty destination of each kind is
// refused with its first required field's own sentence; a kind this build
// does not know is refused, and "" is tus.
func TestCheckSaysTheFirstMissingField(t *testing.T) {
	for _, p := range Providers() {
		var want string
		for _, f := range p.Fields {
			if f.Missing != "" && !f.Secret() {
				want = f.Missing
				break
			}
		}
		err := Destination{Kind: p.Kind}.Check()
		switch {
		case want == "" && p.Served:
			if err == nil || fault.CodeOf(err) != fault.CodeBadURL {
				t.Errorf("%s without its receiver's URL: %v", p.Kind, err)
			}
		case want == "":
			if err != nil {
				t.Errorf("%s with nothing set: %v; it needs nothing but secrets", p.Kind, err)
			}
		case err == nil || err.Error() != want:
			t.Errorf("%s with nothing set: %v; want %q", p.Kind, err, want)
		}
	}
	if (Destination{}).Provider().Kind != KindTus {
		t.Fatal(`kind "" is not tus`)
	}
	if err := (Destination{Kind: "ftp", URL: "https://h/"}).Check(); err == nil || !strings.Contains(err.Error(), `"ftp" is not a kind`) {
		t.Fatalf("unknown kind: %v", err)
	}
	if err := (Destination{Kind: KindCloudflare, Account: strings.Repeat("a", 32), ChunkSize: 1 << 20}).Check(); err == nil || !strings.Contains(err.Error(), "256 KiB") {
		t.Fatalf("a 1 MiB chunk for Stream: %v", err)
	}
}
