// Package store keeps Ferry's queue on disk in one bbolt database.
//
// bbolt's exclusive file lock doubles as the single-instance guard: a second
// process on the same data dir cannot open the database and is told that
// Ferry is already running.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout of the buckets and records this code writes.
// Raise it when a record changes shape, and migrate in Open.
const SchemaVersion = 1

// FileName is the database's name inside the data dir.
const FileName = "ferry.db"

var (
	bucketMeta         = []byte("meta")
	bucketJobs         = []byte("jobs")
	bucketFingerprints = []byte("fingerprints")
	keySchema          = []byte("schema")
)

// LockedError says another process holds the database.
type LockedError struct{ Dir string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("Ferry is already running (data dir %s). Quit the other Ferry, or use another --data-dir.", e.Dir)
}

// CorruptError says the database cannot be read. Ferry never replaces it
// with an empty one: the user decides what happens to it.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("The queue database %s is damaged (%v). Ferry has not touched it; move it aside to start with an empty queue, or restore it from a backup.", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Store is the open database.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating if needed) the database in dir. A database that
// cannot be read whole is reported as a CorruptError before anything is
// written to it.
func Open(dir string) (s *Store, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("Cannot create the data dir %s: %w", dir, errors.Unwrap(err))
	}
	path := filepath.Join(dir, FileName)
	// A damaged file shows itself as a panic inside bbolt, or as a fault
	// on its memory map (a truncated file): both become a CorruptError.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var db *bolt.DB
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			s, err = nil, &CorruptError{Path: path, Err: fmt.Errorf("%v", r)}
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, &LockedError{Dir: dir}
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("Cannot open the queue database %s: permission denied.", path)
	case err != nil:
		return nil, &CorruptError{Path: path, Err: err}
	}
	s = &Store{db: db, path: path}
	if err := s.verify(); err != nil {
		db.Close()
		return nil, &CorruptError{Path: path, Err: err}
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// verify reads every page the database reaches, here (so a fault on the
// memory map is caught by Open), then lets bbolt check its free list.
func (s *Store) verify() error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return touch(b) })
	})
	if err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		// Drain the channel: Check reads the transaction from its own
		// goroutine until it closes it.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		return first
	})
}

// touch reads every key and value of a bucket and its sub-buckets.
func touch(b *bolt.Bucket) error {
	var sum byte
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			if sub := b.Bucket(k); sub != nil {
				return touch(sub)
			}
			return nil
		}
		for _, c := range v {
			sum ^= c
		}
		return nil
	})
	_ = sum
	return err
}

// init creates the buckets and the schema mark of a new database. An
// existing one is only read here: nothing is written until the engine has
// read every record.
func (s *Store) init() error {
	ready := false
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketJobs, bucketFingerprints} {
			if tx.Bucket(name) == nil {
				return nil
			}
		}
		v := tx.Bucket(bucketMeta).Get(keySchema)
		if v == nil {
			return nil
		}
		ready = true
		return s.checkSchema(v)
	})
	if err != nil || ready {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketJobs, bucketFingerprints} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return &CorruptError{Path: s.path, Err: err}
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
		}
		return s.checkSchema(v)
	})
}

func (s *Store) checkSchema(v []byte) error {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return &CorruptError{Path: s.path, Err: fmt.Errorf("schema version %q", v)}
	}
	if n > SchemaVersion {
		return fmt.Errorf("The queue database %s was written by a newer Ferry (schema %d; this one knows %d). Update Ferry, or use another --data-dir.", s.path, n, SchemaVersion)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database and its lock.
func (s *Store) Close() error { return s.db.Close() }

// PutJob writes one job record.
func (s *Store) PutJob(id string, rec []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).Put([]byte(id), rec)
	})
}

// WriteJobs writes several job records in one transaction; a nil record
// deletes its job.
func (s *Store) WriteJobs(recs map[string][]byte) error {
	if len(recs) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		for id, rec := range recs {
			var err error
			if rec == nil {
				err = b.Delete([]byte(id))
			} else {
				err = b.Put([]byte(id), rec)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Jobs calls fn for every job record in id order. A record fn cannot
// decode is reported as a CorruptError, never skipped.
func (s *Store) Jobs(fn func(id string, rec []byte) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &CorruptError{Path: s.path, Err: fmt.Errorf("%v", r)}
		}
	}()
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			if err := fn(string(k), v); err != nil {
				return &CorruptError{Path: s.path, Err: fmt.Errorf("job %s: %w", k, err)}
			}
			return nil
		})
	})
}
