package engine

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-app/ferry/engine/keychain"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/engine/transfer"
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
}

// Secrets is where saved destinations keep their secrets: the OS keychain
// (engine/keychain), by destination name and key.
type Secrets interface {
	Get(dest, key string) (string, error)
	Set(dest, key, value string) error
	Delete(dest string) error
}

// Kind is what sort of place a destination is.
type Kind string

const (
	KindTus        Kind = "tus"        // any tus 1.0 creation URL
	KindBackend    Kind = "backend"    // a backend that hands out one-time tus URLs
	KindCloudflare Kind = "cloudflare" // Cloudflare Stream with an API token
	KindVimeo      Kind = "vimeo"      // Vimeo with a personal access token
	KindBuiltin    Kind = "builtin"    // Ferry's own receiver on loopback
)

// Kinds lists every kind, for help texts.
var Kinds = []Kind{KindTus, KindBackend, KindCloudflare, KindVimeo, KindBuiltin}

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("%q is not a kind of destination; use one of tus, backend, cloudflare, vimeo, builtin", s)
}

func (d Destination) kind() Kind { return cmp.Or(d.Kind, KindTus) }

// Stream's chunk rules: every PATCH but the last a multiple of 256 KiB,
// at least 5 MiB, at most 200 MiB.
const (
	cloudflareChunkUnit    = 256 << 10
	cloudflareChunkMin     = 5 << 20
	cloudflareChunkMax     = 200 << 20
	cloudflareChunkDefault = 50 << 20
)

// APIs whose base a test or a proxy may stand in for.
func cloudflareAPI() string {
	return strings.TrimSuffix(cmp.Or(os.Getenv("FERRY_CLOUDFLARE_API"), "https://api.cloudflare.com/client/v4"), "/")
}

func vimeoAPI() string {
	return strings.TrimSuffix(cmp.Or(os.Getenv("FERRY_VIMEO_API"), "https://api.vimeo.com"), "/")
}

// Endpoint is where an upload is created.
func (d Destination) Endpoint() string {
	switch d.kind() {
	case KindCloudflare:
		return cloudflareAPI() + "/accounts/" + d.Account + "/stream"
	case KindVimeo:
		return vimeoAPI() + "/me/videos"
	}
	return d.URL
}

// Check says in a sentence what is wrong with a destination's settings.
func (d Destination) Check() error {
	switch d.kind() {
	case KindTus, KindBackend, KindBuiltin:
		if err := CheckURL(d.URL); err != nil {
			return err
		}
	case KindCloudflare:
		if d.Account == "" {
			return permanent(CodeBadURL, nil, "A Cloudflare destination needs its account id (--account): 32 letters a–f and digits, in your dashboard's address after dash.cloudflare.com/.")
		}
		if err := CheckAccountID(d.Account); err != nil {
			return err
		}
		if err := CheckCloudflareChunk(d.ChunkSize); err != nil {
			return err
		}
	case KindVimeo:
	default:
		_, err := ParseKind(string(d.Kind))
		return err
	}
	return CheckDestination(Destination{URL: d.Endpoint(), Header: d.Header, Meta: d.Meta})
}

// chunk is the chunk size requests use.
func (d Destination) chunk() int64 {
	if d.kind() == KindCloudflare && d.ChunkSize == 0 {
		return cloudflareChunkDefault
	}
	return d.ChunkSize
}

// Secret keys in the keychain.
const (
	secretToken     = "token"
	secretHeaderKey = "header:"
)

// KeepSecret, as a secret's value (or a secret header's), keeps what the
// destination saved before under that key: an edit form that never shows
// a token back saves the rest without asking for it again.
const KeepSecret = "(ferry: keep the saved value)"

// SaveDestination stores a destination under its name, with its secrets
// (token: "token"; header values: "header:Name") in the keychain, and is on
// disk when it returns. Jobs going there see the change at their next try.
func (e *Engine) SaveDestination(d Destination, secrets map[string]string) error {
	if err := CheckName(d.Name); err != nil {
		return err
	}
	if other, ok := e.NameClash(d.Name); ok {
		return permanent(CodeBadURL, nil, "%q is too close to the destination %q: both would take their token from %s. Choose another name.", d.Name, other, keychain.TokenEnv(d.Name))
	}
	if err := d.Check(); err != nil {
		return err
	}
	d = cloneDest(d)
	if secrets == nil {
		secrets = map[string]string{}
	}
	d.SecretHeaders = nil
	for k, v := range d.Header {
		if secretHeader(k) {
			secrets[secretHeaderKey+k] = strings.Join(v, ", ")
			d.SecretHeaders = append(d.SecretHeaders, k)
			delete(d.Header, k)
		}
	}
	slices.Sort(d.SecretHeaders)
	if len(secrets) > 0 && e.opts.Keychain == nil {
		return permanent(CodeStore, nil, "No keychain to keep the secrets of %s in.", d.Name)
	}
	e.mu.Lock()
	_, replacing := e.saved[d.Name]
	e.mu.Unlock()
	for k, v := range secrets {
		if v != KeepSecret {
			continue
		}
		old := ""
		if replacing && e.opts.Keychain != nil {
			old, _ = e.opts.Keychain.Get(d.Name, k)
		}
		if old == "" {
			return permanent(CodeBadURL, nil, "%s has no saved %s to keep; type it again.", d.Name, secretName(k))
		}
		secrets[k] = old
	}
	if replacing && e.opts.Keychain != nil {
		// What the old settings kept (another kind's token) goes with them.
		e.opts.Keychain.Delete(d.Name)
	}
	for k, v := range secrets {
		if err := e.opts.Keychain.Set(d.Name, k, v); err != nil {
			return permanent(CodeStore, err, "Cannot keep the secret %s of %s: %v.", k, d.Name, err)
		}
	}
	e.forgetSecrets(d.Name) // after the keychain has the new ones
	rec, _ := json.Marshal(d)
	e.mu.Lock()
	b := store.Batch{}
	b.Put(store.Destinations, d.Name, rec)
	e.saved[d.Name] = d
	if e.defaultDest == "" {
		e.defaultDest = d.Name
		b.Put(store.Settings, settingDefault, []byte(d.Name))
	}
	g := e.write(b)
	e.mu.Unlock()
	if err := e.durable(g); err != nil {
		return storeError("the destination was not saved. Free disk space or check the disk, then save it again.", err)
	}
	return nil
}

// secretName says which secret a keychain key holds, for a sentence.
func secretName(key string) string {
	if h, ok := strings.CutPrefix(key, secretHeaderKey); ok {
		return "value of header " + h
	}
	return "token"
}

const settingDefault = "default_destination"

// Destinations lists the saved destinations by name, without secrets.
func (e *Engine) Destinations() []Destination {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Destination, 0, len(e.saved))
	for _, d := range e.saved {
		out = append(out, viewDest(d))
	}
	slices.SortFunc(out, func(a, b Destination) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SavedDestination finds a saved destination by name, without secrets.
func (e *Engine) SavedDestination(name string) (Destination, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.saved[name]
	return viewDest(d), ok
}

// DefaultDestination is the name of the default destination ("" if none).
func (e *Engine) DefaultDestination() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.defaultDest
}

// SetDefaultDestination makes a saved destination the default.
func (e *Engine) SetDefaultDestination(name string) error {
	e.mu.Lock()
	if _, ok := e.saved[name]; !ok {
		e.mu.Unlock()
		return noDestination(name)
	}
	e.defaultDest = name
	b := store.Batch{}
	b.Put(store.Settings, settingDefault, []byte(name))
	g := e.write(b)
	e.mu.Unlock()
	if err := e.durable(g); err != nil {
		return storeError("the default was not saved. Free disk space or check the disk, then do it again.", err)
	}
	return nil
}

// RemoveDestination forgets a saved destination and its secrets. Jobs
// still going there fail at their next try with a sentence.
func (e *Engine) RemoveDestination(name string) error {
	e.mu.Lock()
	if _, ok := e.saved[name]; !ok {
		e.mu.Unlock()
		return noDestination(name)
	}
	delete(e.saved, name)
	b := store.Batch{}
	b.Delete(store.Destinations, name)
	if e.defaultDest == name {
		e.defaultDest = ""
		b.Delete(store.Settings, settingDefault)
	}
	g := e.write(b)
	e.mu.Unlock()
	e.forgetSecrets(name)
	if e.opts.Keychain != nil {
		e.opts.Keychain.Delete(name)
	}
	if err := e.durable(g); err != nil {
		return storeError("the destination may come back. Free disk space or check the disk, then remove it again.", err)
	}
	return nil
}

func noDestination(name string) error {
	return &Error{Kind: transfer.Permanent, Code: CodeNoDestination,
		Msg: fmt.Sprintf("There is no saved destination %q; ferry dest list shows them.", name)}
}

// viewDest is a destination as shown: secret header values left out.
func viewDest(d Destination) Destination {
	d = cloneDest(d)
	for k := range d.Header {
		if secretHeader(k) {
			d.Header[k] = []string{redacted}
		}
	}
	d.URL = RedactURL(d.URL)
	return d
}

// loadDestinations reads the saved destinations at Open.
func (e *Engine) loadDestinations() error {
	e.saved = map[string]Destination{}
	err := e.store.Each(store.Destinations, func(name string, rec []byte) error {
		var d Destination
		if err := json.Unmarshal(rec, &d); err != nil {
			return err
		}
		e.saved[name] = d
		return nil
	})
	e.defaultDest = string(e.store.Get(store.Settings, settingDefault))
	return err
}

// resolve is a job's destination as it is now, secrets included: a saved
// one is read afresh, so edits reach queued jobs.
func (e *Engine) resolve(d Destination) (Destination, error) {
	if d.Name == "" {
		return d, nil
	}
	e.mu.Lock()
	saved, ok := e.saved[d.Name]
	e.mu.Unlock()
	if !ok {
		return d, noDestination(d.Name)
	}
	saved = cloneDest(saved)
	if saved.Header == nil {
		saved.Header = http.Header{}
	}
	secret, err := e.secretHeaders(saved)
	if err != nil {
		return saved, err
	}
	for k, v := range secret {
		saved.Header[k] = v
	}
	return saved, nil
}

// secretHeaders are the headers a saved destination's secrets make. They
// are read from the keychain once per process and destination (a keychain
// call can be a D-Bus round trip; 10 000 small files must not make 10 000
// of them); saving or removing the destination forgets them.
func (e *Engine) secretHeaders(d Destination) (http.Header, error) {
	e.secMu.Lock()
	defer e.secMu.Unlock()
	if h, ok := e.secretCache[d.Name]; ok {
		return h, nil
	}
	kc := e.opts.Keychain
	if kc == nil {
		return nil, nil
	}
	h := http.Header{}
	switch d.kind() {
	case KindCloudflare, KindVimeo:
		token, err := kc.Get(d.Name, secretToken)
		if err != nil {
			return nil, permanent(CodeAuth, err, "No token for %s: give it with ferry dest add %s --kind %s --token-stdin, or %s.", d.Name, d.Name, d.kind(), keychain.TokenEnv(d.Name))
		}
		h.Set("Authorization", "Bearer "+token)
	default:
		for _, name := range d.SecretHeaders {
			v, err := kc.Get(d.Name, secretHeaderKey+name)
			if err != nil {
				return nil, permanent(CodeAuth, err, "The value of header %s of %s is not in the keychain (%s); save the destination again with it.", name, d.Name, err)
			}
			h.Set(name, v)
		}
	}
	if e.secretCache == nil {
		e.secretCache = map[string]http.Header{}
	}
	e.secretCache[d.Name] = h
	return h, nil
}

// forgetSecrets drops a destination's cached secrets.
func (e *Engine) forgetSecrets(name string) {
	e.secMu.Lock()
	delete(e.secretCache, name)
	e.secMu.Unlock()
}

// CheckName says in a sentence what is wrong with a destination's name.
// A name is typed in commands (quoted when it has spaces) and named in
// FERRY_TOKEN_<NAME>, so it keeps to letters, digits, spaces inside, dots,
// dashes and underscores.
func CheckName(name string) error {
	switch {
	case name == "":
		return permanent(CodeBadURL, nil, "Give the destination a name, e.g. Studio NAS.")
	case utf8.RuneCountInString(name) > 64:
		return permanent(CodeBadURL, nil, "A destination's name is at most 64 characters; this one has %d.", utf8.RuneCountInString(name))
	case strings.TrimSpace(name) != name:
		return permanent(CodeBadURL, nil, "A destination's name cannot begin or end with a space.")
	}
	for _, c := range name {
		if !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == ' ' || c == '-' || c == '_' || c == '.') {
			return permanent(CodeBadURL, nil, "%q cannot name a destination: use letters, digits, spaces, dots, dashes and underscores (e.g. Studio NAS).", name)
		}
	}
	return nil
}

// NameClash names another saved destination that name cannot stand
// beside: one that differs only in case or punctuation ("Studio NAS",
// "studio_nas"), as both would read the same FERRY_TOKEN_<NAME>.
func (e *Engine) NameClash(name string) (string, bool) {
	env := keychain.TokenEnv(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	for other := range e.saved {
		if other != name && keychain.TokenEnv(other) == env {
			return other, true
		}
	}
	return "", false
}

// JobsGoingTo counts the unfinished jobs of a saved destination.
func (e *Engine) JobsGoingTo(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, j := range e.order {
		if j != nil && j.Dest.Name == name && !j.State.Terminal() {
			n++
		}
	}
	return n
}

// CheckAccountID says in a sentence what is wrong with a Cloudflare
// account id: 32 hexadecimal characters, as the dashboard's address has it.
func CheckAccountID(id string) error {
	if len(id) != 32 || strings.Trim(strings.ToLower(id), "0123456789abcdef") != "" {
		return permanent(CodeBadURL, nil, "%q is not a Cloudflare account id: it is 32 letters a–f and digits, in your dashboard's address after dash.cloudflare.com/.", id)
	}
	return nil
}

// CheckCloudflareChunk says in a sentence what is wrong with a chunk size
// for Cloudflare Stream (0: the default).
func CheckCloudflareChunk(c int64) error {
	if c != 0 && (c%cloudflareChunkUnit != 0 || c < cloudflareChunkMin || c > cloudflareChunkMax) {
		return permanent(CodeBadURL, nil, "Cloudflare Stream takes chunks of 5 MiB to 200 MiB in steps of 256 KiB; %d bytes is not one.", c)
	}
	return nil
}
