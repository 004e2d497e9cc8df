package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/keychain"
)

// Destination is where a job's file goes; the dest package has its
// providers.
type Destination = dest.Destination

// Secrets is where saved destinations keep their secrets: the OS keychain
// (keychain), by destination name and key.
type Secrets interface {
	Get(dest, key string) (string, error)
	Set(dest, key, value string) error
	Delete(dest string) error
}

// KeyDeleter is a Secrets that can also remove one key of a destination
// (keychain can): an edit then takes out the secrets its old
// settings used and the new ones do not.
type KeyDeleter interface {
	DeleteKey(dest, key string) error
}

// KeepSecret, as a secret's value (or a secret header's), keeps what the
// destination saved before under that key: an edit form that never shows
// a token back saves the rest without asking for it again. A URL given
// back as it is shown (REDACTED where its secrets were) keeps the saved
// URL the same way.
const KeepSecret = "(ferry: keep the saved value)"

// SaveDestination stores a destination under its name, with its secrets
// (token: "token"; header values: "header:Name"; a URL with user-info or
// signing parameters: "url") in the keychain, and is on disk when it
// returns. Jobs going there see the change at their next try. It replaces
// a destination of that name: a front-end that must not asks first.
//
// The new secrets are written first, then the record is switched, then
// the old secrets the new settings do not use are taken out: a failure at
// any step leaves the old destination whole, or the new one.
func (e *Engine) SaveDestination(d Destination, secrets map[string]string) error {
	if err := CheckName(d.Name); err != nil {
		return err
	}
	if other, ok := e.NameClash(d.Name); ok {
		return fault.Wrap(fault.CodeBadURL, nil, "%q is too close to the destination %q: both would take their token from %s. Choose another name.", d.Name, other, keychain.TokenEnv(d.Name))
	}
	if err := d.Check(); err != nil {
		return err
	}
	d = cloneDest(d)
	secrets = maps.Clone(secrets) // the caller's map stays as it was
	if secrets == nil {
		secrets = map[string]string{}
	}
	delete(secrets, keychain.URL) // made from d.URL only
	e.mu.Lock()
	old, replacing := e.saved[d.Name]
	e.mu.Unlock()

	d.SecretHeaders = nil
	for k, v := range d.Header {
		if dest.SecretHeader(k) {
			secrets[keychain.HeaderPrefix+k] = strings.Join(v, ", ")
			d.SecretHeaders = append(d.SecretHeaders, k)
			delete(d.Header, k)
		}
	}
	slices.Sort(d.SecretHeaders)
	d.SecretURL = false
	switch {
	case replacing && old.SecretURL && d.URL == old.URL:
		secrets[keychain.URL] = KeepSecret
		d.SecretURL = true
	case dest.HasSecrets(d.URL) && dest.RedactURL(d.URL) == d.URL:
		return fault.Wrap(fault.CodeBadURL, nil, "The URL says REDACTED where a secret was: give the whole URL, with its secrets.")
	case dest.HasSecrets(d.URL):
		secrets[keychain.URL] = d.URL
		d.URL, d.SecretURL = dest.RedactURL(d.URL), true
	}
	for k, v := range secrets {
		if err := checkSecret(k, v); err != nil {
			return err
		}
	}
	kc := e.opts.Keychain
	if len(secrets) > 0 && kc == nil {
		return fault.Wrap(fault.CodeStore, nil, "No keychain to keep the secrets of %s in.", d.Name)
	}

	// What changes is written; what is kept is not touched.
	changes := map[string]string{}
	for k, v := range secrets {
		if v != KeepSecret {
			changes[k] = v
			continue
		}
		saved := ""
		if replacing {
			saved, _ = kc.Get(d.Name, k)
		}
		if saved == "" {
			return fault.Wrap(fault.CodeBadURL, nil, "%s has no saved %s to keep; type it again.", d.Name, keychain.Describe(k))
		}
	}
	if err := e.writeSecrets(d.Name, changes, old, replacing); err != nil {
		return err
	}

	rec, _ := json.Marshal(d)
	b := store.Batch{}
	b.Put(store.Destinations, d.Name, rec)
	e.secMu.Lock() // no attempt resolves between the switch and the cache's end
	e.mu.Lock()
	e.saved[d.Name] = d
	if e.defaultDest == "" {
		e.defaultDest = d.Name
		b.Put(store.Settings, settingDefault, []byte(d.Name))
	}
	g := e.write(b)
	e.mu.Unlock()
	delete(e.secretCache, d.Name)
	e.secMu.Unlock()
	if err := e.durable(g); err != nil {
		// The old record may be what is on disk: its secrets stay.
		return storeError("the destination was not saved. Free disk space or check the disk, then save it again.", err)
	}
	if !replacing {
		return nil
	}
	var unused []string
	for _, k := range keysOf(old) {
		if _, ok := secrets[k]; !ok {
			unused = append(unused, k)
		}
	}
	if err := deleteKeys(kc, d.Name, unused); err != nil {
		return fault.Wrap(fault.CodeKeychain, err, "Saved %s, but a secret its old settings used could not be taken out of the keychain (%s); remove it there by hand.", d.Name, fault.Cause(err))
	}
	return nil
}

// writeSecrets writes a destination's changed secrets. When one cannot
// be written, those written before it are put back as they were (or
// taken out, where the old settings had none), so that the old
// destination keeps working with its own secrets.
func (e *Engine) writeSecrets(name string, changes map[string]string, old Destination, replacing bool) error {
	kc := e.opts.Keychain
	type was struct {
		value string
		known bool
	}
	before := map[string]was{}
	var done []string
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		if replacing {
			v, err := kc.Get(name, k)
			before[k] = was{v, err == nil}
		}
		err := kc.Set(name, k, changes[k])
		if err == nil {
			done = append(done, k)
			continue
		}
		what := "the new settings were not saved"
		if replacing {
			what = name + " keeps its old settings"
		}
		var orphans []string
		for _, k := range done {
			switch b := before[k]; {
			case b.known:
				kc.Set(name, k, b.value) // best effort: the error said what failed
			case !replacing || !slices.Contains(keysOf(old), k):
				orphans = append(orphans, k)
			}
		}
		if !replacing {
			kc.Delete(name) // no record names it: all of it is this attempt's
		} else {
			deleteKeys(kc, name, orphans)
		}
		return fault.Wrap(fault.CodeKeychain, err, "Cannot keep the %s of %s in the keychain (%s); %s. Check the keychain, then save again.", keychain.Describe(k), name, fault.Cause(err), what)
	}
	return nil
}

// keysOf lists the keys a saved destination's secrets may be under.
// "token" is always one: ferry dest add keeps a token for any kind.
func keysOf(d Destination) []string {
	keys := []string{keychain.Token}
	for _, h := range d.SecretHeaders {
		keys = append(keys, keychain.HeaderPrefix+h)
	}
	if d.SecretURL {
		keys = append(keys, keychain.URL)
	}
	return keys
}

// deleteKeys takes keys of a destination out of the keychain. A keychain
// that can only delete all of a destination's secrets gets each value
// overwritten with nothing instead: the secret is gone, the empty item stays.
func deleteKeys(kc Secrets, name string, keys []string) error {
	var errs []error
	for _, k := range keys {
		if kd, ok := kc.(KeyDeleter); ok {
			errs = append(errs, kd.DeleteKey(name, k))
		} else if v, err := kc.Get(name, k); err == nil && v != "" {
			errs = append(errs, kc.Set(name, k, ""))
		}
	}
	return errors.Join(errs...)
}

// checkSecret says in a sentence why a secret cannot be kept.
func checkSecret(key, value string) error {
	if value == KeepSecret {
		return nil
	}
	switch {
	case key == keychain.Token:
		return dest.CheckToken(value)
	case strings.HasPrefix(key, keychain.HeaderPrefix) && len(value) > dest.MaxHeaderValue:
		return fault.Wrap(fault.CodeBadURL, nil, "The value of header %.64s is %d bytes long; Ferry takes at most 8 KiB, as servers refuse longer ones.", strings.TrimPrefix(key, keychain.HeaderPrefix), len(value))
	case len(value) > dest.MaxToken:
		return fault.Wrap(fault.CodeBadURL, nil, "The %s is longer than 16 KiB; Ferry keeps no secret that long.", keychain.Describe(key))
	}
	return nil
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
// still going there fail at their next try with a sentence. The record
// goes first: secrets left behind are said (CodeKeychain, the destination
// removed all the same), a record left without its secrets would not be.
func (e *Engine) RemoveDestination(name string) error {
	e.secMu.Lock()
	e.mu.Lock()
	if _, ok := e.saved[name]; !ok {
		e.mu.Unlock()
		e.secMu.Unlock()
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
	delete(e.secretCache, name)
	e.secMu.Unlock()
	if err := e.durable(g); err != nil {
		return storeError("the destination may come back. Free disk space or check the disk, then remove it again.", err)
	}
	if e.opts.Keychain != nil {
		if err := e.opts.Keychain.Delete(name); err != nil {
			return fault.Wrap(fault.CodeKeychain, err, "Removed %s, but its secrets could not be taken out of the keychain (%s); remove them there by hand.", name, fault.Cause(err))
		}
	}
	return nil
}

func noDestination(name string) error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeNoDestination,
		Msg: fmt.Sprintf("There is no saved destination %q; ferry dest list shows them.", name)}
}

// viewDest is a destination as shown: secret header values left out.
func viewDest(d Destination) Destination {
	d = cloneDest(d)
	for k := range d.Header {
		if dest.SecretHeader(k) {
			d.Header[k] = []string{dest.Redacted}
		}
	}
	d.URL = dest.RedactURL(d.URL)
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
	// secMu first: a save switches the record and forgets its cached
	// secrets under it, so no stale pair is cached.
	e.secMu.Lock()
	defer e.secMu.Unlock()
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
	secret, err := e.savedSecrets(saved)
	if err != nil {
		return saved, err
	}
	for k, v := range secret {
		if k == cachedURL {
			saved.URL = v[0]
			continue
		}
		saved.Header[k] = v
	}
	return saved, nil
}

// cachedURL is where a cached entry keeps the whole URL: no header's name
// has a ':'.
const cachedURL = ":url"

// savedSecrets are the headers a saved destination's secrets make, and its
// whole URL (under cachedURL) when that is in the keychain. They are read
// from the keychain once per process and destination (a keychain call can
// be a D-Bus round trip; 10 000 small files must not make 10 000 of them);
// saving or removing the destination forgets them. Caller holds e.secMu.
func (e *Engine) savedSecrets(d Destination) (http.Header, error) {
	if h, ok := e.secretCache[d.Name]; ok {
		return h, nil
	}
	kc := e.opts.Keychain
	if kc == nil {
		if d.SecretURL {
			return nil, fault.Wrap(fault.CodeAuth, nil, "The URL of %s is kept in a keychain, and there is none here; save it again with its whole URL (ferry dest add %s --url URL --replace, or Edit in Destinations).", d.Name, d.Name)
		}
		return nil, nil
	}
	h := http.Header{}
	if _, ok := d.Provider().FieldOf(dest.SlotToken); ok {
		token, err := kc.Get(d.Name, keychain.Token)
		if err != nil {
			return nil, fault.Wrap(fault.CodeAuth, err, "No token for %s: give it with ferry dest add %s --kind %s --token-stdin --replace, or %s.", d.Name, d.Name, d.Provider().Kind, keychain.TokenEnv(d.Name))
		}
		h.Set("Authorization", "Bearer "+token)
	}
	for _, name := range d.SecretHeaders {
		v, err := kc.Get(d.Name, keychain.HeaderPrefix+name)
		if err != nil {
			return nil, fault.Wrap(fault.CodeAuth, err, "The value of header %s of %s is not in the keychain (%s); save the destination again with it.", name, d.Name, fault.Cause(err))
		}
		h.Set(name, v)
	}
	if d.SecretURL {
		full, err := kc.Get(d.Name, keychain.URL)
		if err != nil || full == "" {
			return nil, fault.Wrap(fault.CodeAuth, err, "The URL of %s is not in the keychain; save it again with its whole URL (ferry dest add %s --url URL --replace, or Edit in Destinations).", d.Name, d.Name)
		}
		h[cachedURL] = []string{full}
	}
	if e.secretCache == nil {
		e.secretCache = map[string]http.Header{}
	}
	e.secretCache[d.Name] = h
	return h, nil
}

// CheckName says in a sentence what is wrong with a destination's name.
// A name is typed in commands (quoted when it has spaces) and named in
// FERRY_TOKEN_<NAME>, so it keeps to letters, digits, spaces inside, dots,
// dashes and underscores.
func CheckName(name string) error {
	switch {
	case name == "":
		return fault.Wrap(fault.CodeBadURL, nil, "Give the destination a name, e.g. Studio NAS.")
	case utf8.RuneCountInString(name) > 64:
		return fault.Wrap(fault.CodeBadURL, nil, "A destination's name is at most 64 characters; this one has %d.", utf8.RuneCountInString(name))
	case strings.TrimSpace(name) != name:
		return fault.Wrap(fault.CodeBadURL, nil, "A destination's name cannot begin or end with a space.")
	}
	for _, c := range name {
		if !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == ' ' || c == '-' || c == '_' || c == '.') {
			return fault.Wrap(fault.CodeBadURL, nil, "%q cannot name a destination: use letters, digits, spaces, dots, dashes and underscores (e.g. Studio NAS).", name)
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
