package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// backend is the part of go-keyring Ferry uses; tests stand in for it.
type backend interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

type systemKeyring struct{}

func (systemKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (systemKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (systemKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

var (
	errTimeout     = errors.New("the system keychain did not answer in time")
	errTooBig      = errors.New("the value is too big for the system keychain")
	errSysNotFound = errors.New("not in the system keychain")
	errBadIndex    = errors.New("its key index in the system keychain is damaged")
)

// within runs f with a time limit. A call that hangs (D-Bus without a
// session bus) is left behind in its goroutine; its result is dropped.
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errTimeout
	}
}

// sysErr maps go-keyring's errors to ours.
func sysErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return errSysNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return errTooBig
	}
	return err
}

func sysGet(b backend, user string) (string, error) {
	var v string
	err := within(opTimeout, func() error {
		var err error
		v, err = b.Get(service, user)
		return err
	})
	if err != nil {
		return "", sysErr(err)
	}
	return v, nil
}

func sysSet(b backend, user, value string) error {
	return sysErr(within(opTimeout, func() error { return b.Set(service, user, value) }))
}

func sysDelete(b backend, user string) error {
	err := sysErr(within(opTimeout, func() error { return b.Delete(service, user) }))
	if errors.Is(err, errSysNotFound) {
		return nil
	}
	return err
}

// probe checks that the OS keychain can set, get and delete an item, all
// within timeout.
func probe(b backend, timeout time.Duration) error {
	var r [8]byte
	_, _ = rand.Read(r[:])
	// Item users of destinations always contain '/', this one never does.
	user := "probe." + hex.EncodeToString(r[:])
	want := "ferry probe " + hex.EncodeToString(r[:])
	return within(timeout, func() error {
		if err := b.Set(service, user, want); err != nil {
			return err
		}
		got, err := b.Get(service, user)
		if err != nil {
			return err
		}
		if err := b.Delete(service, user); err != nil {
			return err
		}
		if got != want {
			return errors.New("the probe item read back differently")
		}
		return nil
	})
}

// Item users: escape(dest) + "/" + escape(key), where escape writes '%',
// '/' and control bytes as %XX, so names chosen by users ("my dest/1")
// never collide. The index of a destination's keys (go-keyring cannot
// list) is the item escape(dest) + "/": its value is a JSON array of keys,
// no secrets. Keys are never empty, so no key's item is an index.
func itemUser(dest, key string) string { return escape(dest) + "/" + escape(key) }

func indexUser(dest string) string { return escape(dest) + "/" }

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c == '/' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (k *Keychain) readIndex(dest string) ([]string, error) {
	v, err := sysGet(k.sys, indexUser(dest))
	if errors.Is(err, errSysNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading its key index: %w", err)
	}
	var keys []string
	if err := json.Unmarshal([]byte(v), &keys); err != nil {
		return nil, errBadIndex
	}
	return keys, nil
}

// setSystem records key in the index first, so that Delete finds every
// item even when the second step fails. Called with mu held.
func (k *Keychain) setSystem(dest, key, value string) error {
	keys, err := k.readIndex(dest)
	if err != nil {
		// A damaged index is rebuilt from what is known now.
		if !errors.Is(err, errBadIndex) {
			return err
		}
		keys = nil
	}
	if !contains(keys, key) {
		keys = append(keys, key)
		data, _ := json.Marshal(keys)
		if err := sysSet(k.sys, indexUser(dest), string(data)); err != nil {
			return fmt.Errorf("writing its key index: %w", err)
		}
	}
	return sysSet(k.sys, itemUser(dest, key), value)
}

// deleteSystem removes every indexed item of dest, then the index.
// Called with mu held.
func (k *Keychain) deleteSystem(dest string) error {
	keys, err := k.readIndex(dest)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := sysDelete(k.sys, itemUser(dest, key)); err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
	}
	return sysDelete(k.sys, indexUser(dest))
}

// deleteSystemKey removes one item of dest, then its key from the index
// (an index naming a missing item is harmless; an item missing from the
// index would be left behind by Delete). Called with mu held.
func (k *Keychain) deleteSystemKey(dest, key string) error {
	if err := sysDelete(k.sys, itemUser(dest, key)); err != nil {
		return err
	}
	keys, err := k.readIndex(dest)
	if err != nil || !contains(keys, key) {
		return err
	}
	left := make([]string, 0, len(keys))
	for _, x := range keys {
		if x != key {
			left = append(left, x)
		}
	}
	if len(left) == 0 {
		return sysDelete(k.sys, indexUser(dest))
	}
	data, _ := json.Marshal(left)
	if err := sysSet(k.sys, indexUser(dest), string(data)); err != nil {
		return fmt.Errorf("writing its key index: %w", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
