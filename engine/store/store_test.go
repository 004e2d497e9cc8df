package store

import (
	"errors"
	"fmt"
	bolt "go.etcd.io/bbolt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// filled makes a database with some jobs and returns its path.
func filled(t *testing.T) string {
	t.Helper()
	dir := wine.TempDir(t)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string][]byte{}
	for i := range 200 {
		recs[fmt.Sprintf("%04d", i)] = []byte(strings.Repeat(fmt.Sprintf(`{"job":%d}`, i), 40))
	}
	if err := s.Write(Batch{Jobs: recs}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return filepath.Join(dir, FileName)
}

func TestDamagedDatabaseIsReportedNotReplaced(t *testing.T) {
	damage := map[string]func(b []byte) []byte{
		"flipped bytes": func(b []byte) []byte {
			for i := 16 << 10; i < len(b); i += 97 {
				b[i] ^= 0xff
			}
			return b
		},
		"truncated to 8 KiB":  func(b []byte) []byte { return b[:8<<10] },
		"truncated to 20 KiB": func(b []byte) []byte { return b[:20<<10] },
		"junk":                func(b []byte) []byte { return []byte(strings.Repeat("junk", 5000)) },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			path := filled(t)
			b, _ := os.ReadFile(path)
			bad := f(b)
			os.WriteFile(path, bad, 0o600)
			s, err := Open(filepath.Dir(path))
			var corrupt *CorruptError
			if err == nil {
				// Some damage leaves a readable database; then no job may
				// be silently lost: every record still reads.
				n := 0
				s.Each(Jobs, func(string, []byte) error { n++; return nil })
				s.Close()
				t.Logf("damage left a readable database with %d jobs", n)
				if n != 200 {
					t.Fatalf("opened a damaged database with %d of 200 jobs and no error", n)
				}
				return
			}
			if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "damaged") {
				t.Fatalf("error %v", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(bad) {
				t.Fatal("the damaged database was written to")
			}
		})
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := wine.TempDir(t)
	s, _ := Open(dir)
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("99")) })
	s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer Ferry") {
		t.Fatalf("error %v", err)
	}
}
