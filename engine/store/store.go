// Package store keeps Ferry's queue on disk in one bbolt database.
//
// bbolt's exclusive file lock doubles as the single-instance guard: a second
// process on the same data dir cannot open the database and is told that
// Ferry is already running.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ferry-app/ferry/fault"
)

// SchemaVersion is the layout of the buckets and records this code writes.
// Raise it when a record changes shape, and migrate in Open.
//
//	1: jobs, fingerprints (fingerprint → upload URL)
//	2: + completions, deletes; fingerprint values may be JSON records
//	3: + destinations, settings
//	4: + watches
const SchemaVersion = 4

// FileName is the database's name inside the data dir.
const FileName = "ferry.db"

// Bucket names a table of the database.
type Bucket string

const (
	Jobs         Bucket = "jobs"         // job id → job record
	Fingerprints Bucket = "fingerprints" // file fingerprint → upload in progress
	Completions  Bucket = "completions"  // file fingerprint → finished upload
	Deletes      Bucket = "deletes"      // upload URL → termination still to do
	Destinations Bucket = "destinations" // name → saved destination (no secrets)
	Settings     Bucket = "settings"     // name → value
	Watches      Bucket = "watches"      // folder (as the file system compares paths) → watch folder settings
)

var (
	bucketMeta = []byte("meta")
	keySchema  = []byte("schema")
	// buckets are created in every database.
	buckets = []Bucket{Jobs, Fingerprints, Completions, Deletes, Destinations, Settings, Watches}
)

// LockedError says another process holds the database. It comes as the
// cause of a fault.Error with CodeLocked (Locked); errors.As finds it.
type LockedError struct{ Dir string }

func (e *LockedError) Error() string { return "another process holds the queue database in " + e.Dir }

// Locked is the error for a data dir another Ferry holds.
func Locked(dir string) error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeLocked, Err: &LockedError{Dir: dir},
		Msg: fmt.Sprintf("Ferry is already running (data dir %s). Quit the other Ferry, or use another --data-dir.", dir)}
}

// CorruptError says the database cannot be read. Ferry never replaces it
// with an empty one: the user decides what happens to it. It comes as the
// cause of a fault.Error with CodeDamaged; errors.As finds it.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("damaged queue database %s: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// corrupt is the error for a database that cannot be read; what it is
// that could not be read stays in the cause, for the log.
func corrupt(path string, cause error) error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeDamaged, Err: &CorruptError{Path: path, Err: cause},
		Msg: fmt.Sprintf("The queue database %s is damaged. Ferry has not touched it; move it aside to start with an empty queue, or restore it from a backup.", path)}
}

// Store is the open database.
type Store struct {
	db    *bolt.DB
	path  string
	fault atomic.Pointer[error]
}

// openDB opens the database and hands it to use, whose it then is to
// keep or close. What a damaged file does to bbolt (an error, a panic, a
// fault on its memory map) becomes a CorruptError.
func openDB(dir, path string, readOnly bool, use func(*bolt.DB) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var db *bolt.DB
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			err = corrupt(path, fmt.Errorf("%v", r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond, ReadOnly: readOnly})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return Locked(dir)
	case errors.Is(err, os.ErrPermission):
		return fault.Wrap(fault.CodeStore, err, "Cannot open the queue database %s: permission denied.", path)
	case err != nil:
		return corrupt(path, err)
	}
	return use(db)
}

// Open opens (creating if needed) the database in dir. A database that
// cannot be read whole is reported as a CorruptError before anything is
// written to it.
func Open(dir string) (s *Store, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fault.Wrap(fault.CodeStore, err, "Cannot create the data dir %s: %v.", dir, errors.Unwrap(err))
	}
	path := filepath.Join(dir, FileName)
	// bbolt would initialise an empty file as a new database: a queue
	// truncated to nothing (a full disk, a bad copy) must not look empty.
	fi, statErr := os.Stat(path)
	if statErr == nil && fi.Size() == 0 {
		return nil, &fault.Error{Kind: fault.Permanent, Code: fault.CodeDamaged, Err: &CorruptError{Path: path, Err: errors.New("empty file")},
			Msg: fmt.Sprintf("The queue database %s is empty (0 bytes): it was cut short (a full disk, a bad copy). Ferry has not touched it; move it aside to start with an empty queue, or restore it from a backup.", path)}
	}
	// An existing file is read whole, read-only, before it is opened for
	// writing: on Windows bbolt grows a file to the size of its memory map
	// as it opens it for writing, which would change a damaged one.
	if statErr == nil {
		err := openDB(dir, path, true, func(db *bolt.DB) error {
			defer db.Close()
			if err := (&Store{db: db, path: path}).verify(); err != nil {
				return corrupt(path, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err = openDB(dir, path, false, func(db *bolt.DB) error {
		s = &Store{db: db, path: path}
		if err := s.init(); err != nil {
			db.Close()
			return err
		}
		return nil
	})
	if err != nil {
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
// read every record, and an older schema is brought up to date by the
// first Write, inside its transaction.
func (s *Store) init() error {
	fresh := false
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get(keySchema) == nil {
			fresh = tx.Bucket([]byte(Jobs)) == nil
			if !fresh {
				return errors.New("no schema version")
			}
			return nil
		}
		_, err := s.checkSchema(meta.Get(keySchema))
		return err
	})
	if err != nil || !fresh {
		return err
	}
	return s.db.Update(s.upgrade)
}

// upgrade creates what this schema has that the file lacks (older
// fingerprint values, bare URLs, are still read as they are).
func (s *Store) upgrade(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keySchema); v != nil {
		if n, _ := strconv.Atoi(string(v)); n == SchemaVersion {
			return nil
		}
	}
	for _, name := range buckets {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
}

func (s *Store) checkSchema(v []byte) (int, error) {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, corrupt(s.path, fmt.Errorf("schema version %q", v))
	}
	if n > SchemaVersion {
		return n, fault.New(fault.CodeStore, "The queue database %s was written by a newer Ferry (schema %d; this one knows %d). Update Ferry, or use another --data-dir.", s.path, n, SchemaVersion)
	}
	return n, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Batch is one transaction's changes: bucket → key → value, where a nil
// value deletes the key. Later changes to a key replace earlier ones.
type Batch map[Bucket]map[string][]byte

// Put records a change.
func (b Batch) Put(bk Bucket, key string, v []byte) {
	m := b[bk]
	if m == nil {
		m = map[string][]byte{}
		b[bk] = m
	}
	m[key] = v
}

// Delete records a deletion.
func (b Batch) Delete(bk Bucket, key string) { b.Put(bk, key, nil) }

// Lookup returns a change to key: its value (nil for a deletion) and
// whether the batch holds one.
func (b Batch) Lookup(bk Bucket, key string) ([]byte, bool) {
	v, ok := b[bk][key]
	return v, ok
}

// Merge adds o's changes; o's win.
func (b Batch) Merge(o Batch) {
	for bk, m := range o {
		for k, v := range m {
			b.Put(bk, k, v)
		}
	}
}

// Under adds o's changes where b has none: o is older.
func (b Batch) Under(o Batch) {
	for bk, m := range o {
		for k, v := range m {
			if _, newer := b.Lookup(bk, k); !newer {
				b.Put(bk, k, v)
			}
		}
	}
}

// Len is the number of changes.
func (b Batch) Len() (n int) {
	for _, m := range b {
		n += len(m)
	}
	return n
}

// Write applies a batch in one transaction: all of it is on disk when it
// returns nil, none of it otherwise.
func (s *Store) Write(b Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if f := s.fault.Load(); f != nil {
		return *f
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := s.upgrade(tx); err != nil {
			return err
		}
		for bk, m := range b {
			bucket := tx.Bucket([]byte(bk))
			for k, v := range m {
				var err error
				if v == nil {
					err = bucket.Delete([]byte(k))
				} else {
					err = bucket.Put([]byte(k), v)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// InjectFault makes every later Write fail with err (nil: heal). It lets
// tests show what a full disk or an I/O error does to the queue.
func (s *Store) InjectFault(err error) {
	if err == nil {
		s.fault.Store(nil)
		return
	}
	s.fault.Store(&err)
}

// Get returns a copy of one value, nil if there is none.
func (s *Store) Get(bk Bucket, key string) (v []byte) {
	s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bk)); b != nil {
			v = bytes.Clone(b.Get([]byte(key)))
		}
		return nil
	})
	return v
}

// GetMany looks up several keys in one read transaction; fn gets each
// value found (valid only during the call).
func (s *Store) GetMany(bk Bucket, keys []string, fn func(key string, v []byte)) {
	s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bk))
		if b == nil {
			return nil
		}
		for _, k := range keys {
			if v := b.Get([]byte(k)); v != nil {
				fn(k, v)
			}
		}
		return nil
	})
}

// Each calls fn for every record of a bucket in key order. A record fn
// cannot decode is reported as a CorruptError, never skipped.
func (s *Store) Each(bk Bucket, fn func(key string, rec []byte) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(s.path, fmt.Errorf("%v", r))
		}
	}()
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bk))
		if b == nil {
			return nil // an older schema without this bucket
		}
		return b.ForEach(func(k, v []byte) error {
			if err := fn(string(k), v); err != nil {
				return corrupt(s.path, fmt.Errorf("%s record %q: %w", bk, k, err))
			}
			return nil
		})
	})
}
