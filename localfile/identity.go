package localfile

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync"
	"time"
)

// Identity is a file as it was when its upload began. A resume that finds
// any part of it changed starts over: size and mtime alone miss an
// overwrite that keeps both (cp then touch -r); the change time catches an
// edit in place that set the mtime back, and the hashes of the first and
// last MiB a replacement, without reading the whole file.
type Identity struct {
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	CTime  int64  `json:"ctime_ns,omitempty"` // change time (inode, or Windows' ChangeTime), where the OS gives it
	FileID string `json:"file_id,omitempty"`  // device and inode (file index on Windows)
	Head   string `json:"head"`               // SHA-256 of the first MiB
	Tail   string `json:"tail,omitempty"`     // SHA-256 of the last MiB, when the file is longer
}

const identitySpan = 1 << 20

// Identify reads a file's identity.
func Identify(path string) (Identity, error) {
	f, err := Open(path) // a rename while it is read is allowed (Windows)
	if err != nil {
		return Identity{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Identity{}, err
	}
	id := Identity{Size: fi.Size(), MTime: fi.ModTime().UnixNano(), CTime: changeTime(f, fi), FileID: fileID(f, fi)}
	if id.Head, err = hashRange(f, 0, min(fi.Size(), identitySpan)); err != nil {
		return Identity{}, err
	}
	if fi.Size() > identitySpan {
		start := max(fi.Size()-identitySpan, identitySpan)
		if id.Tail, err = hashRange(f, start, fi.Size()-start); err != nil {
			return Identity{}, err
		}
	}
	return id, nil
}

func hashRange(f *os.File, off, n int64) (string, error) {
	buf := hashBufs.Get().(*[64 << 10]byte)
	defer hashBufs.Put(buf)
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, off, n), buf[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashBufs keep hashRange from making a buffer per call: a folder of
// small files is identified thousands of times a second.
var hashBufs = sync.Pool{New: func() any { return new([64 << 10]byte) }}

// Same: both describe the same bytes. A file id missing on either side
// (another OS wrote the record) is not held against it.
func (a Identity) Same(b Identity) bool {
	return a.Size == b.Size && a.MTime == b.MTime && a.Head == b.Head && a.Tail == b.Tail &&
		(a.FileID == b.FileID || a.FileID == "" || b.FileID == "") &&
		(a.CTime == b.CTime || a.CTime == 0 || b.CTime == 0)
}

func (a Identity) ModTime() time.Time { return time.Unix(0, a.MTime) }
