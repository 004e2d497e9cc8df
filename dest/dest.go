// Package dest is where files go: a saved Destination's settings, and
// one Provider per kind of place (any tus server, a backend that hands
// out upload URLs, Cloudflare Stream, Vimeo, Ferry's own receivers).
// A provider describes its form fields, checks its settings, and says
// how an upload is created and tested there; the engine, the window and
// `ferry dest add` are built from those descriptions, and no other
// package names a kind. Adding a provider is one file that registers it.
package dest

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
)

// Destination is where a job's file goes. A saved destination has a Name:
// jobs keep only that, and every attempt resolves it afresh, so an edited
// destination (a rotated token, another chunk size) reaches queued jobs.
// Secrets (tokens, secret header values) are never part of it on disk:
// they live in the keychain.
type Destination struct {
	Name      string            `json:"name,omitempty"` // saved destinations; "" for a URL given for one run
	Kind      Kind              `json:"kind,omitempty"` // "" is tus
	URL       string            `json:"url,omitempty"`  // tus and backend: the creation URL; builtin: its receiver
	Account   string            `json:"account,omitempty"`
	Dir       string            `json:"dir,omitempty"` // builtin: where files land
	Header    http.Header       `json:"header,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`       // extra Upload-Metadata
	ChunkSize int64             `json:"chunk_size,omitempty"` // 0: one streaming PATCH (or the kind's own)
	// SecretHeaders names the headers whose values are in the keychain.
	SecretHeaders []string `json:"secret_headers,omitempty"`
	// SecretURL: URL has REDACTED where its user-info and signing
	// parameters were; the whole URL is in the keychain (key "url").
	SecretURL bool `json:"secret_url,omitempty"`
}

// Kind is what sort of place a destination is; each provider's file
// names its own.
type Kind string

// Provider is one kind of destination: how the window and the command
// line ask for it, and what it does differently from a plain tus server.
// A nil function or a zero field is the tus way; capabilities are
// composed by filling them in, never by a switch on the kind elsewhere.
type Provider struct {
	Kind  Kind
	Rank  int    // its place in the window's list of kinds
	Label string // in the kind selector: "Cloudflare Stream (API token)"
	Short string // in lists: "Cloudflare Stream"
	About string // under the selector: what it is for
	Who   string // in sentences: "Cloudflare", "the backend"
	// Fields are its settings, in the order the form shows them (the
	// name comes first for every kind). The first is where an error of
	// the destination as a whole is shown.
	Fields []Field

	// Where says where files go, for a person (the URL is redacted by
	// whoever shows a saved destination).
	Where func(d Destination) string
	// Endpoint is where uploads are created (nil: the URL).
	Endpoint func(d Destination) string
	// Check says what no single field can (nil: nothing more).
	Check func(d Destination) error
	// Chunk is the chunk size when none is set (0: one streaming PATCH).
	Chunk int64
	// FileMeta is metadata a file sends besides filename and filetype.
	FileMeta func(name string) map[string]string
	// Create makes an upload through an API of the provider's own (nil:
	// a tus creation request at the endpoint).
	Create func(ctx context.Context, hc *http.Client, d Destination, t transfer.Target, size int64, name string) (transfer.Created, error)
	// Test checks the destination without uploading (nil: as a tus
	// server, OPTIONS and HEAD of an upload that cannot exist).
	Test func(p *Probe, d Destination) error
	// Refused is its sentence for credentials refused with status.
	Refused func(d Destination, status int) string
	// InWords puts a creation request's error in its own words (nil:
	// as it is).
	InWords func(d Destination, te *fault.Error) error
	// TokenAPI: its token (Authorization: Bearer) opens an API that hands
	// out upload URLs, which never need it; without it the token, if the
	// kind has one, goes with every request.
	TokenAPI bool
	// NamesUploads: its server may take upload ids Ferry names, so that a
	// small file is created and sent in one request without risk of a
	// second upload after a crash.
	NamesUploads bool
	// Served: Ferry itself receives the files, on this computer.
	Served bool
}

// Slot is the setting of a Destination a form field fills.
type Slot int

const (
	SlotURL     Slot = iota + 1 // Destination.URL
	SlotAuth                    // the Authorization header, a secret
	SlotAccount                 // Destination.Account
	SlotToken                   // the token, a secret in the keychain
	SlotFolder                  // Destination.Dir
	SlotHeaders                 // Destination.Header
	SlotMeta                    // Destination.Meta
	SlotChunk                   // Destination.ChunkSize
)

// Field is one setting as the window and `ferry dest add` ask for it.
type Field struct {
	Slot        Slot
	Label       string
	Help        string // under the field
	Placeholder string
	// Missing is the sentence when the field is left empty; "" when it
	// may be.
	Missing string
	// Check says what is wrong with the field's value in d (nil: nothing
	// beyond what every destination is checked for).
	Check func(d Destination) error
}

// Secret: the field's value goes to the keychain, never to disk.
func (f Field) Secret() bool { return f.Slot == SlotAuth || f.Slot == SlotToken }

// Flag is the field's option of `ferry dest add`.
func (f Field) Flag() string {
	return [...]string{SlotURL: "--url URL", SlotAuth: `--header "Authorization: …"`, SlotAccount: "--account ID",
		SlotToken: "--token-stdin", SlotFolder: "--dir DIR", SlotHeaders: `--header "K: V"`, SlotMeta: "--meta k=v",
		SlotChunk: "--chunk-size SIZE"}[f.Slot]
}

var providers = map[Kind]*Provider{}

// register adds a provider; each provider's file calls it from init.
func register(p *Provider) {
	if p.Kind == "" || providers[p.Kind] != nil || p.Label == "" || p.Short == "" || p.Where == nil {
		panic(fmt.Sprintf("dest: provider %q is registered twice or lacks a label or Where", p.Kind))
	}
	providers[p.Kind] = p
}

// Providers lists every provider in the window's order.
func Providers() []*Provider {
	out := make([]*Provider, 0, len(providers))
	for _, p := range providers {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Provider) int { return cmp.Compare(a.Rank, b.Rank) })
	return out
}

// Kinds names every kind, in the window's order, for help texts.
func Kinds() string {
	var names []string
	for _, p := range Providers() {
		names = append(names, string(p.Kind))
	}
	return strings.Join(names, ", ")
}

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, error) {
	if _, ok := providers[Kind(s)]; ok {
		return Kind(s), nil
	}
	return "", fault.New(fault.CodeBadSetting, "%q is not a kind of destination; use one of %s.", s, Kinds())
}

// Provider is the destination's provider; a kind this build does not
// know (a record written by a newer Ferry) is treated as tus, whose
// requests are the plainest, and Check refuses it when saved.
func (d Destination) Provider() *Provider {
	if p, ok := providers[d.Kind]; ok {
		return p
	}
	return providers[KindTus]
}

// Known: the destination's kind is one this build has ("" is tus).
func (d Destination) Known() bool {
	_, ok := providers[d.Kind]
	return ok || d.Kind == ""
}

// Endpoint is where an upload is created.
func (d Destination) Endpoint() string {
	if p := d.Provider(); p.Endpoint != nil {
		return p.Endpoint(d)
	}
	return d.URL
}

// Chunk is the chunk size requests use.
func (d Destination) Chunk() int64 {
	return cmp.Or(d.ChunkSize, d.Provider().Chunk)
}

// Where says where the destination's files go, for a person.
func (d Destination) Where() string { return d.Provider().Where(d) }

// FieldOf is the provider's field for a slot, if it has one.
func (p *Provider) FieldOf(s Slot) (Field, bool) {
	for _, f := range p.Fields {
		if f.Slot == s {
			return f, true
		}
	}
	return Field{}, false
}

// Secrets: the provider keeps a secret (a token or a header value).
func (p *Provider) Secrets() bool {
	return slices.ContainsFunc(p.Fields, Field.Secret)
}
