package engine

import (
	"strings"
	"testing"

	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/internal/wine"
)

// A deletion left to do whose record cannot be read is said once, naming
// the upload (its secrets left out), and forgotten: it could never be
// tried. A readable one beside it stays.
func TestDamagedDeletionIsSaidAndForgotten(t *testing.T) {
	dir := wine.TempDir(t)
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const damaged = "https://tus.example/files/abc?token=SECRET"
	const good = "https://tus.example/files/def"
	b := store.Batch{}
	b.Put(store.Deletes, damaged, []byte(`{"url": "https://tus.exa`))
	b.Put(store.Deletes, good, []byte(`{"url":"`+good+`","dest":{"url":"https://tus.example/files/"}}`))
	if err := st.Write(b); err != nil {
		t.Fatal(err)
	}
	st.Close()

	open := func() (*Engine, []string) {
		var said []string
		e, err := Open(Options{DataDir: dir, Warn: func(s string) { said = append(said, s) }})
		if err != nil {
			t.Fatal(err)
		}
		return e, said
	}
	e, said := open()
	if len(said) != 1 || !strings.Contains(said[0], "https://tus.example/files/abc") || strings.Contains(said[0], "SECRET") {
		t.Fatalf("said %q", said)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, said = open()
	defer e.Close()
	if len(said) != 0 {
		t.Fatalf("said again: %q", said)
	}
	if v := e.store.Get(store.Deletes, good); v == nil {
		t.Fatal("the readable deletion was dropped")
	}
}
