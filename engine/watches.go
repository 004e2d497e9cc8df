package engine

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/localfile"
)

// Watch folders are kept beside the queue, so the window and `ferry watch`
// see the same ones and a restart picks them up. The engine keeps them and
// answers what a watcher asks (Uploaded, JobFor); the watching itself is
// the watch package's.

// After is what happens to a watched file once its upload is done.
type After string

const (
	AfterKeep   After = "keep"   // leave it where it is
	AfterMove   After = "move"   // move it into WatchFolder.MoveTo
	AfterDelete After = "delete" // delete it (the server has every byte)
)

// ParseAfter reads keep, move or delete.
func ParseAfter(s string) (After, error) {
	switch a := After(s); a {
	case AfterKeep, AfterMove, AfterDelete:
		return a, nil
	}
	return "", fmt.Errorf("%q is not an after-upload action; use keep, move or delete", s)
}

// DefaultMoveTo is the sub-folder uploaded files are moved into.
const DefaultMoveTo = "uploaded"

// DefaultSettle is how long a watched file must stay unchanged.
const DefaultSettle = 5 * time.Second

// VideoExts are the extensions a watch folder takes by default.
var VideoExts = []string{"mp4", "m4v", "mov", "qt", "mkv", "avi", "webm", "mts", "m2ts", "ts",
	"mpg", "mpeg", "wmv", "flv", "3gp", "mxf", "ogv"}

// WatchFolder is one watched folder's settings.
type WatchFolder struct {
	Dir  string      `json:"dir"`  // absolute
	Dest Destination `json:"dest"` // kept without secrets: a saved one by name
	// Settle is how long a file's size and mtime must stay the same before
	// it is queued; 0 means DefaultSettle.
	Settle time.Duration `json:"settle,omitempty"`
	// Exts are the extensions taken, lower case without the dot; nil means
	// VideoExts, "*" every file.
	Exts   []string `json:"exts,omitempty"`
	After  After    `json:"after,omitempty"`   // "" is keep
	MoveTo string   `json:"move_to,omitempty"` // for AfterMove: a sub-folder, relative; "" is DefaultMoveTo
	Paused bool     `json:"paused,omitempty"`
	// Added is when the folder was first saved: files uploaded before it
	// (by hand, by another folder) never get its after-upload action.
	Added time.Time `json:"added"`
}

// Normal is f with its defaults filled in and its extensions written one
// way, or a sentence saying what is wrong with it. The destination is
// SaveWatchFolder's to check.
func (f WatchFolder) Normal() (WatchFolder, error) {
	if !filepath.IsAbs(f.Dir) {
		return f, fmt.Errorf("The watch folder %q must be an absolute path.", f.Dir)
	}
	f.Dir = filepath.Clean(f.Dir)
	if f.Settle < 0 {
		return f, fmt.Errorf("The settle time of %s cannot be negative (%s).", f.Dir, f.Settle)
	}
	if f.Settle == 0 {
		f.Settle = DefaultSettle
	}
	if f.After == "" {
		f.After = AfterKeep
	}
	if _, err := ParseAfter(string(f.After)); err != nil {
		return f, err
	}
	if f.After == AfterMove {
		if f.MoveTo == "" {
			f.MoveTo = DefaultMoveTo
		}
		m := filepath.Clean(f.MoveTo)
		if filepath.IsAbs(m) || m == "." || m == ".." || strings.HasPrefix(m, ".."+string(filepath.Separator)) {
			return f, fmt.Errorf("Uploaded files are moved into a sub-folder of %s; %q is not one (try %q).", f.Dir, f.MoveTo, DefaultMoveTo)
		}
		f.MoveTo = m
	} else {
		f.MoveTo = ""
	}
	exts, err := NormalExts(f.Exts)
	if err != nil {
		return f, err
	}
	f.Exts = exts
	return f, nil
}

// NormalExts writes extensions one way: lower case, no dot, each once, in
// order; nil or empty means VideoExts. "*" takes every file.
func NormalExts(exts []string) ([]string, error) {
	var out []string
	for _, x := range exts {
		x = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(x), "."))
		switch {
		case x == "":
			continue
		case x == "*":
			return []string{"*"}, nil
		case strings.ContainsAny(x, `/\`+"*?"):
			return nil, fmt.Errorf("%q is not a file extension (write mp4 or .mp4).", x)
		}
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return slices.Clone(VideoExts), nil
	}
	return out, nil
}

// watchRecordVersion is the shape of a stored watch folder.
const watchRecordVersion = 1

type watchRecord struct {
	V int `json:"v"`
	WatchFolder
	Counts WatchCounts `json:"counts,omitzero"`
}

// WatchCounts are what a watch folder has done since it was added. They
// are kept in its record, so a restart does not reset them; removing the
// folder forgets them.
type WatchCounts struct {
	Uploaded int   `json:"uploaded,omitempty"` // files it uploaded
	Bytes    int64 `json:"bytes,omitempty"`    // their sizes, summed
}

// watchRecords makes each change to a watch record (its settings, its
// counts) a read and a write that no other change comes between: the
// record is one value for both.
var watchRecords sync.Mutex

func watchKey(dir string) string { return localfile.PathKey(filepath.Clean(dir)) }

// WatchFolders returns the saved watch folders, by path.
func (e *Engine) WatchFolders() ([]WatchFolder, error) {
	var out []WatchFolder
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
func (e *Engine) WatchFolderOf(dir string) (WatchFolder, bool) {
	v := e.w.Lookup(store.Watches, watchKey(dir))
	if v == nil {
		return WatchFolder{}, false
	}
	f, err := decodeWatch(v)
	return f, err == nil
}

func decodeWatch(v []byte) (WatchFolder, error) {
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
func (e *Engine) WatchCountsOf(dir string) WatchCounts {
	v := e.w.Lookup(store.Watches, watchKey(dir))
	if v == nil {
		return WatchCounts{}
	}
	r, err := decodeWatchRecord(v)
	if err != nil {
		return WatchCounts{}
	}
	return r.Counts
}

// SaveWatchCounts keeps a folder's counts, to be read back after a
// restart. It does not wait for the disk: they go with the next write
// (within tens of milliseconds), and at the latest on Close, so a watcher
// may save them at every upload. A folder that is not saved (removed
// meanwhile) is not brought back.
func (e *Engine) SaveWatchCounts(dir string, c WatchCounts) error {
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
func (e *Engine) SaveWatchFolder(f WatchFolder) (WatchFolder, error) {
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
	var counts WatchCounts
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
