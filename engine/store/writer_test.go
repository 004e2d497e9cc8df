package store

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferry-app/ferry/internal/wine"
)

var errClosedForTest = errors.New("closed")

func openForWriter(t *testing.T) *Store {
	t.Helper()
	s, err := Open(wine.TempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(k, v string) Batch {
	b := Batch{}
	b.Put(Settings, k, []byte(v))
	return b
}

// Changes nobody waits for are written together within lazy: a burst of
// them costs one transaction, and they read back meanwhile.
func TestWriterGroupsWhatNobodyWaitsFor(t *testing.T) {
	s := openForWriter(t)
	synctest.Test(t, func(t *testing.T) {
		w := NewWriter(s, func(error) {}, func() {}, errClosedForTest)
		defer w.Close()
		for _, k := range []string{"a", "b", "c"} {
			w.Stage(put(k, k+"1"))
		}
		if v := w.Lookup(Settings, "b"); string(v) != "b1" {
			t.Fatalf("staged b reads %q", v)
		}
		if s.Get(Settings, "a") != nil || w.Writes() != 0 {
			t.Fatal("written before lazy was up")
		}
		time.Sleep(lazy)
		synctest.Wait()
		if w.Writes() != 1 {
			t.Fatalf("%d transactions for one burst", w.Writes())
		}
		for _, k := range []string{"a", "b", "c"} {
			if v := s.Get(Settings, k); string(v) != k+"1" {
				t.Fatalf("%s on disk: %q", k, v)
			}
		}
	})
}

// Wait returns once its generation is on disk, without waiting for lazy.
func TestWriterWaitWritesAtOnce(t *testing.T) {
	s := openForWriter(t)
	synctest.Test(t, func(t *testing.T) {
		w := NewWriter(s, func(error) {}, func() {}, errClosedForTest)
		defer w.Close()
		start := time.Now()
		if err := w.Wait(w.Stage(put("k", "v"))); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) != 0 || string(s.Get(Settings, "k")) != "v" {
			t.Fatalf("durable after %s: %q", time.Since(start), s.Get(Settings, "k"))
		}
	})
}

// A failed write is said (onFail), keeps its changes under newer ones,
// is tried again every retryEvery, and heals (onHeal) with all of them.
func TestWriterKeepsAFailedWriteAndTriesAgain(t *testing.T) {
	s := openForWriter(t)
	synctest.Test(t, func(t *testing.T) {
		var fails, heals atomic.Int32
		w := NewWriter(s, func(error) { fails.Add(1) }, func() { heals.Add(1) }, errClosedForTest)
		defer w.Close()
		full := errors.New("disk full")
		s.InjectFault(full)
		if err := w.Wait(w.Stage(put("k", "old"))); !errors.Is(err, full) {
			t.Fatalf("Wait of a failed write: %v", err)
		}
		w.Stage(put("k", "new"))
		w.Stage(put("j", "1"))
		time.Sleep(3 * retryEvery)
		synctest.Wait()
		if fails.Load() < 3 || heals.Load() != 0 {
			t.Fatalf("%d failures said, %d heals, while the disk is full", fails.Load(), heals.Load())
		}
		s.InjectFault(nil)
		time.Sleep(retryEvery)
		synctest.Wait()
		if heals.Load() != 1 || string(s.Get(Settings, "k")) != "new" || string(s.Get(Settings, "j")) != "1" {
			t.Fatalf("healed %d times; k %q, j %q", heals.Load(), s.Get(Settings, "k"), s.Get(Settings, "j"))
		}
	})
}

// Close writes what is left; Wait after it says the writer is closed.
func TestWriterCloseWritesWhatIsLeft(t *testing.T) {
	s := openForWriter(t)
	synctest.Test(t, func(t *testing.T) {
		w := NewWriter(s, func(error) {}, func() {}, errClosedForTest)
		g := w.Stage(put("k", "v"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if string(s.Get(Settings, "k")) != "v" {
			t.Fatal("Close left a staged change unwritten")
		}
		if err := w.Wait(g + 1); !errors.Is(err, errClosedForTest) {
			t.Fatalf("Wait after Close: %v", err)
		}
	})
}
