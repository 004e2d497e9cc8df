package keychain

import (
	"errors"
	"testing"
)

func TestDeleteKeyTakesOutOneSecret(t *testing.T) {
	for name, mk := range modes(t) {
		t.Run(name, func(t *testing.T) {
			k, f := mk(t)
			for _, kv := range [][2]string{{"token", "t0k"}, {"url", "http://u:p@h/"}, {"header:X-Jwt", "j"}} {
				if err := k.Set("studio", kv[0], kv[1]); err != nil {
					t.Fatal(err)
				}
			}
			if err := k.DeleteKey("studio", "url"); err != nil {
				t.Fatal(err)
			}
			if err := k.DeleteKey("studio", "url"); err != nil {
				t.Fatalf("a missing key: %v", err)
			}
			if _, err := k.Get("studio", "url"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("url after DeleteKey: %v", err)
			}
			for _, key := range []string{"token", "header:X-Jwt"} {
				if _, err := k.Get("studio", key); err != nil {
					t.Fatalf("%s went too: %v", key, err)
				}
			}
			// The index no longer names it: Delete takes out all that is left.
			if err := k.DeleteKey("studio", "token"); err != nil {
				t.Fatal(err)
			}
			if err := k.Delete("studio"); err != nil {
				t.Fatal(err)
			}
			if f != nil && f.count() != 0 {
				t.Fatalf("%d items left in the system keychain", f.count())
			}
			if _, err := k.Get("studio", "header:X-Jwt"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("after Delete: %v", err)
			}
		})
	}
}
