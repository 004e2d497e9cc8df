package store

import (
	tus "github.com/eventials/go-tus"
	bolt "go.etcd.io/bbolt"
)

// Fingerprints is go-tus's Store (fingerprint → upload URL) on bbolt. It
// outlives every job: a file uploaded once is found again by its
// fingerprint and never sent twice.
type Fingerprints struct{ s *Store }

var _ tus.Store = Fingerprints{}

// Fingerprints returns the fingerprint → upload URL table.
func (s *Store) Fingerprints() Fingerprints { return Fingerprints{s} }

// Get returns the upload URL recorded for a fingerprint.
func (f Fingerprints) Get(fp string) (url string, ok bool) {
	f.s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketFingerprints).Get([]byte(fp)); v != nil {
			url, ok = string(v), true
		}
		return nil
	})
	return url, ok
}

// Set records the upload URL of a fingerprint. go-tus's interface has no
// error; a failed write only costs a resume, never data.
func (f Fingerprints) Set(fp, url string) {
	f.s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFingerprints).Put([]byte(fp), []byte(url))
	})
}

// Delete forgets a fingerprint.
func (f Fingerprints) Delete(fp string) {
	f.s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFingerprints).Delete([]byte(fp))
	})
}

// Close is a no-op: the Store owns the database.
func (f Fingerprints) Close() {}
