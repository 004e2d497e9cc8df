package engine

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/localfile"
	"github.com/ferry-app/ferry/watch/settings"
)

// Watch folders are kept beside the queue, so the window and `ferry watch`
// see the same ones and a restart picks them up. What a folder's settings
// are is the watch/settings package's, and the watching the watch
// package's; the engine keeps them and answers what a watcher asks
// (Uploaded, JobFor).

// watchRecordVersion is the shape of a stored watch folder.
const watchRecordVersion = 1

type watchRecord struct {
	V int `json:"v"`
	settings.WatchFolder
	Counts settings.WatchCounts `json:"counts,omitzero"`
}

// watchRecords makes each change to a watch record (its settings, its
// counts) a read and a write that no other change comes between: the
// record is one value for both.
var watchRecords sync.Mutex

func watchKey(dir string) string { return localfile.PathKey(filepath.Clean(dir)) }

// WatchFolders returns the saved watch folders, by path.
func (e *Engine) WatchFolders() ([]settings.WatchFolder, error) {
	var out []settings.WatchFolder
	err := e.store.Each(store.Watches, func(_ string, v []byte) error {
		f, err := decodeWatch(v)
		if err == nil {
			out = append(out, f)
		}
		return err
	})
	sort.Slice(out, func(a, b int) bool { return out[a].Dir < out[b].Dir })
	return out, err
}

// WatchFolderOf returns the saved settings of one folder.
func (e *Engine) WatchFolderOf(dir string) (settings.WatchFolder, bool) {
	v := e.w.Lookup(store.Watches, watchKey(dir))
	if v == nil {
		return settings.WatchFolder{}, false
	}
	f, err := decodeWatch(v)
	return f, err == nil
}

func decodeWatch(v []byte) (settings.WatchFolder, error) {
	r, err := decodeWatchRecord(v)
	return r.WatchFolder, err
}

func decodeWatchRecord(v []byte) (watchRecord, error) {
	var r watchRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return watchRecord{}, err
	}
	if r.V < 1 || r.V > watchRecordVersion {
		return watchRecord{}, fmt.Errorf("watch record version %d is not one this Ferry knows (%d)", r.V, watchRecordVersion)
	}
	if r.Dir == "" {
		return watchRecord{}, fmt.Errorf("incomplete watch record")
	}
	return r, nil
}

// WatchCountsOf returns a folder's counts as last saved (zero if it has
// none).
func (e *Engine) WatchCountsOf(dir string) settings.WatchCounts {
	v := e.w.Lookup(store.Watches, watchKey(dir))
	if v == nil {
		return settings.WatchCounts{}
	}
	r, err := decodeWatchRecord(v)
	if err != nil {
		return settings.WatchCounts{}
	}
	return r.Counts
}

// SaveWatchCounts keeps a folder's counts, to be read back after a
// restart. It does not wait for the disk: they go with the next write
// (within tens of milliseconds), and at the latest on Close, so a watcher
// may save them at every upload. A folder that is not saved (removed
// meanwhile) is not brought back.
func (e *Engine) SaveWatchCounts(dir string, c settings.WatchCounts) error {
	watchRecords.Lock()
	defer watchRecords.Unlock()
	key := watchKey(dir)
	v := e.w.Lookup(store.Watches, key)
	if v == nil {
		return nil
	}
	r, err := decodeWatchRecord(v)
	if err != nil {
		return err
	}
	if r.Counts == c {
		return nil
	}
	r.Counts = c
	if v, err = json.Marshal(r); err != nil {
		return err
	}
	b := store.Batch{}
	b.Put(store.Watches, key, v)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	e.write(b)
	return nil
}

// SaveWatchFolder keeps a folder's settings (its Added time stays that of
// the first save) and returns them as saved, defaults filled in; they are
// on disk when it returns. A saved destination is kept by name; a URL
// without its secrets, as jobs keep it.
func (e *Engine) SaveWatchFolder(f settings.WatchFolder) (settings.WatchFolder, error) {
	f, err := f.Normal()
	if err != nil {
		return f, err
	}
	if f.Dest.Name != "" {
		e.mu.Lock()
		_, ok := e.saved[f.Dest.Name]
		e.mu.Unlock()
		if !ok {
			return f, noDestination(f.Dest.Name)
		}
	} else if err := f.Dest.Check(); err != nil {
		return f, err
	}
	watchRecords.Lock()
	var counts settings.WatchCounts
	if v := e.w.Lookup(store.Watches, watchKey(f.Dir)); v != nil {
		if old, err := decodeWatchRecord(v); err == nil {
			if !old.Added.IsZero() {
				f.Added = old.Added
			}
			counts = old.Counts // new settings, same folder: what it did stands
		}
	}
	if f.Added.IsZero() {
		f.Added = time.Now()
	}
	rec := watchRecord{V: watchRecordVersion, WatchFolder: f, Counts: counts}
	rec.Dest = storedDest(f.Dest)
	v, err := json.Marshal(rec)
	if err != nil {
		watchRecords.Unlock()
		return f, err
	}
	b := store.Batch{}
	b.Put(store.Watches, watchKey(f.Dir), v)
	g, err := e.stageWrite(b)
	watchRecords.Unlock()
	if err == nil {
		err = e.durable(g)
	}
	if err != nil {
		return f, storeError("the watch folder was not saved. Free disk space or check the disk, then add it again.", err)
	}
	return f, nil
}

// RemoveWatchFolder forgets a folder's settings and counts. Its files'
// completion records stay: they are still known as sent.
func (e *Engine) RemoveWatchFolder(dir string) error {
	b := store.Batch{}
	b.Delete(store.Watches, watchKey(dir))
	watchRecords.Lock()
	g, err := e.stageWrite(b)
	watchRecords.Unlock()
	if err == nil {
		err = e.durable(g)
	}
	if err != nil {
		return storeError("the watch folder may come back. Free disk space or check the disk, then remove it again.", err)
	}
	return nil
}

// stageWrite stages b and returns the generation to wait for.
func (e *Engine) stageWrite(b store.Batch) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, ErrClosed
	}
	return e.write(b), nil
}

// storedDest is a destination as a watch record keeps it: a saved one by
// its name (edits to it then apply), a URL without its secrets.
func storedDest(d Destination) Destination {
	if d.Name != "" {
		return Destination{Name: d.Name}
	}
	d = cloneDest(d)
	for k := range d.Header {
		if dest.SecretHeader(k) {
			delete(d.Header, k)
		}
	}
	if len(d.Header) == 0 {
		d.Header = nil
	}
	d.URL = dest.StripSecrets(d.URL)
	return d
}

// FileVersion is one version of a file as the queue tells them apart:
// its path, size and mtime.
type FileVersion struct {
	Path    string
	Size    int64
	ModTime time.Time
}

// VersionOf is the version a file's FileInfo describes.
func VersionOf(path string, fi fs.FileInfo) FileVersion {
	return FileVersion{Path: path, Size: fi.Size(), ModTime: fi.ModTime()}
}

// Uploaded says, for each file, when its upload to dest finished (the
// server confirmed every byte), or the zero time if this version of it was
// never uploaded there. It reads completion records only, in one read: no
// job is made and nothing is published, so a watch folder can ask about
// every file it sees without filling the queue with "already uploaded".
func (e *Engine) Uploaded(dest Destination, files []FileVersion) ([]time.Time, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	dest, err := e.destinationFor(dest)
	if err != nil {
		return nil, err
	}
	fps := make([]string, len(files))
	for i, f := range files {
		fps[i] = fingerprint(absPath(f.Path), f.Size, f.ModTime, dest)
	}
	done := e.completions(fps)
	out := make([]time.Time, len(files))
	for i, fp := range fps {
		if c := done[fp]; c != nil {
			out[i] = c.At
		}
	}
	return out, nil
}

// JobFor returns the queue's job for a file and destination, if it has
// one (in O(1): a watcher may ask per file).
func (e *Engine) JobFor(path string, dest Destination) (Job, bool) {
	dest, err := e.destinationFor(dest)
	if err != nil {
		return Job{}, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	j := e.byKey[jobKey(absPath(path), dest)]
	if j == nil || j.removed {
		return Job{}, false
	}
	return j.view(), true
}

// absPath is path as Expand gives it to AddMany, so fingerprints match.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
