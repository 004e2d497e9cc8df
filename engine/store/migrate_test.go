package store

import (
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ferry-app/ferry/internal/wine"
)

// A database written by schema 3 (before watch folders) opens, reads as it
// was, has no watch folders, and gains the bucket with its first write.
func TestSchema3GainsWatches(t *testing.T) {
	dir := wine.TempDir(t)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Make it what a schema-3 Ferry left: its buckets, its mark, one job.
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte(Watches)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte("3")); err != nil {
			return err
		}
		return tx.Bucket([]byte(Jobs)).Put([]byte("0001"), []byte(`{"v":2}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatalf("a schema-3 database does not open: %v", err)
	}
	defer s.Close()
	n := 0
	if err := s.Each(Watches, func(string, []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("watches of a schema-3 database: %d, %v", n, err)
	}
	if v := s.Get(Watches, "/x"); v != nil {
		t.Fatalf("Get from the missing bucket: %q", v)
	}
	if err := s.Write(Batch{Watches: {"/x": []byte(`{}`)}}); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if string(s.Get(Watches, "/x")) != `{}` || string(s.Get(Jobs, "0001")) != `{"v":2}` {
		t.Fatal("after the upgrade the records are not all there")
	}
	var schema string
	s.db.View(func(tx *bolt.Tx) error { schema = string(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	if schema != strconv.Itoa(SchemaVersion) || SchemaVersion != 4 {
		t.Fatalf("schema after the first write: %s", schema)
	}
}
