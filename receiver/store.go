package receiver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
)

// idBytes: ids are 16 random bytes in hex, the shape filestore makes.
const idBytes = 16

// newID makes an upload id. The store picks it (not filestore) so that a
// creation that fails half-way can be cleaned up by name.
func newID() string {
	b := make([]byte, idBytes)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ownID reports whether id has the shape of the ids this store makes: 32
// lowercase hex digits. Nothing else (a path, "..", whitespace) may reach
// filestore, which joins ids onto its folder unchecked.
func ownID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// store is tusd's filestore behind a door: only ids of its own shape get
// through, an id a client names is created once, disk errors become
// sentences without paths, a failed creation leaves nothing, concatenation
// parts are deleted once assembled, and an upload whose data has moved
// into the receive folder still answers as complete from its .info and
// .done records.
type store struct {
	fs       filestore.FileStore
	work     string
	track    *tracker
	logf     func(format string, args ...any)
	maxSize  int64 // 0: none
	refusals *refusals
	// freeSpace is freeSpace; tests make a small disk of it.
	freeSpace func(dir string) (int64, error)

	// stopAt, in tests, stops publishing or assembling after a step as
	// a crash would (true: stop); nil elsewhere.
	stopAt func(step string) bool

	roomMu  sync.Mutex   // one grantRoom at a time
	granted atomic.Int64 // room held by writes of uploads of unknown length
}

func (st *store) UseIn(c *handler.StoreComposer) {
	c.UseCore(st)
	c.UseTerminater(st)
	c.UseConcater(st)
	c.UseLengthDeferrer(st)
}

func (st *store) path(id string) string     { return filepath.Join(st.work, id) }
func (st *store) infoPath(id string) string { return st.path(id) + ".info" }
func (st *store) donePath(id string) string { return st.path(id) + doneSuffix }
func (st *store) gonePath(id string) string { return st.path(id) + goneSuffix }

// NewUpload makes the upload under a new id, or under the client's
// (Ferry-Upload-Id, set by beforeCreate) if no upload has had it.
func (st *store) NewUpload(ctx context.Context, info handler.FileInfo) (handler.Upload, error) {
	switch {
	case info.ID == "":
		info.ID = newID()
	case !ownID(info.ID):
		return nil, errIDShape
	default:
		if err := st.claim(info.ID); err != nil {
			return nil, err
		}
		// Held until the records exist (known sees them from then on) or
		// a failed creation has removed what it wrote.
		defer st.track.release(info.ID)
	}
	info.Storage = nil // always the default place in work
	up, err := st.fs.NewUpload(ctx, info)
	if err != nil {
		os.Remove(st.path(info.ID))
		os.Remove(st.infoPath(info.ID))
		return nil, storeError(err)
	}
	if !info.SizeIsDeferred && info.Size > 0 {
		st.track.pend(info.ID, info.Size)
	}
	return &stored{Upload: up, st: st, id: info.ID}, nil
}

func (st *store) GetUpload(ctx context.Context, id string) (handler.Upload, error) {
	if !ownID(id) {
		return nil, errNotFound
	}
	up, err := st.fs.GetUpload(ctx, id)
	if errors.Is(err, handler.ErrNotFound) {
		return st.published(id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &stored{Upload: up, st: st, id: id}, nil
}

// published loads an upload whose data was moved into the receive folder.
func (st *store) published(id string) (handler.Upload, error) {
	if _, err := os.Stat(st.donePath(id)); err != nil {
		return nil, errNotFound
	}
	b, err := os.ReadFile(st.infoPath(id))
	if err != nil {
		return nil, errNotFound
	}
	var info handler.FileInfo
	if err := json.Unmarshal(b, &info); err != nil || info.ID != id {
		return nil, errNotFound
	}
	info.Offset = info.Size
	return &stored{st: st, id: id, done: &info}, nil
}

func (st *store) AsTerminatableUpload(u handler.Upload) handler.TerminatableUpload {
	return u.(*stored)
}

func (st *store) AsConcatableUpload(u handler.Upload) handler.ConcatableUpload {
	return u.(*stored)
}

func (st *store) AsLengthDeclarableUpload(u handler.Upload) handler.LengthDeclarableUpload {
	return u.(*stored)
}

// remove deletes every record of an upload. Data already moved into the
// receive folder is the user's and stays.
func (st *store) remove(id string) error {
	var first error
	for _, p := range []string{st.path(id), st.infoPath(id), st.donePath(id)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	st.track.settle(id)
	return first
}

// stored is a filestore upload, or (done != nil) one already published.
type stored struct {
	handler.Upload // the filestore upload; nil once published
	st             *store
	id             string
	done           *handler.FileInfo
}

func (u *stored) GetInfo(ctx context.Context) (handler.FileInfo, error) {
	if u.done != nil {
		return *u.done, nil
	}
	info, err := u.Upload.GetInfo(ctx)
	return info, storeError(err)
}

func (u *stored) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	if u.done != nil {
		return 0, nil // tusd never asks: the offset already equals the size
	}
	info, err := u.Upload.GetInfo(ctx)
	if err != nil {
		return 0, storeError(err)
	}
	var n int64
	if info.SizeIsDeferred {
		n, err = u.writeCapped(ctx, info, offset, src)
	} else {
		// Never past the length, however the body came (chunked, or with
		// a creation): what runs on is refused by onFinish.
		n, err = u.Upload.WriteChunk(ctx, offset, &capped{r: src, left: max(info.Size-offset, 0)})
	}
	var refusal handler.Error
	if err != nil && u.st.logf != nil && !errors.As(err, &refusal) { // refusals are said where made
		if diskFull(err) {
			u.st.refusals.say(u.st.logf, "disk full", "failed %s: the disk is full (%s)", label(info), receivedSoFar(info, offset+n))
		} else {
			u.st.refusals.say(u.st.logf, "write", "failed %s: cannot write: %s", label(info), fault.Cause(err))
		}
	}
	return n, storeError(err)
}

// receivedSoFar says how much of an upload is in, with its length if
// known.
func receivedSoFar(info handler.FileInfo, n int64) string {
	if info.SizeIsDeferred {
		return units.Size(n) + " received, length not yet declared"
	}
	return units.Size(n) + " of " + units.Size(info.Size) + " received"
}

func (u *stored) GetReader(ctx context.Context) (io.ReadCloser, error) {
	return nil, errNotFound // downloads are off
}

func (u *stored) FinishUpload(ctx context.Context) error {
	if u.done != nil {
		return nil
	}
	return storeError(u.Upload.FinishUpload(ctx))
}

func (u *stored) Terminate(ctx context.Context) error {
	return storeError(u.st.remove(u.id))
}

func (u *stored) DeclareLength(ctx context.Context, length int64) error {
	if u.done != nil {
		return handler.ErrInvalidUploadLength
	}
	info, err := u.Upload.GetInfo(ctx)
	if err != nil {
		return storeError(err)
	}
	if err := u.st.refuseLength(info, length, info.Offset); err != nil {
		return err // nothing is owed to a length refused
	}
	err = u.Upload.(handler.LengthDeclarableUpload).DeclareLength(ctx, length)
	if err == nil && length > 0 {
		u.st.track.pend(u.id, length)
	}
	return storeError(err)
}

// ConcatUploads assembles the final upload, then deletes the parts: the
// file must not sit on the disk twice. If assembling fails the final
// upload goes too, so a failed creation leaves nothing behind.
func (u *stored) ConcatUploads(ctx context.Context, parts []handler.Upload) error {
	inner := make([]handler.Upload, len(parts))
	for i, p := range parts {
		pu, ok := p.(*stored)
		var info handler.FileInfo
		if ok && pu.done == nil {
			info, _ = pu.GetInfo(ctx)
		}
		if !info.IsPartial {
			u.st.remove(u.id)
			return errNotPart
		}
		inner[i] = pu.Upload
	}
	if u.st.stop("assembling") {
		return errStopped
	}
	if err := u.Upload.(handler.ConcatableUpload).ConcatUploads(ctx, inner); err != nil {
		u.st.remove(u.id)
		if u.st.logf != nil {
			info, _ := u.Upload.GetInfo(ctx)
			u.st.refusals.say(u.st.logf, "assemble", "failed %s: cannot assemble its parallel parts: %s", label(info), fault.Cause(err))
		}
		return storeError(err)
	}
	if u.st.stop("assembled") {
		return errStopped
	}
	for i, p := range parts {
		u.st.remove(p.(*stored).id)
		if i == 0 && u.st.stop("a part removed") {
			return errStopped
		}
	}
	return nil
}

// stop is stopAt's answer for a step; false outside tests.
func (st *store) stop(step string) bool { return st.stopAt != nil && st.stopAt(step) }

// decided reads the name an upload was given to be published as, if a
// decision was made (see publish).
func (st *store) decided(id string) (string, bool) {
	b, err := os.ReadFile(st.donePath(id))
	name := strings.TrimSuffix(string(b), "\n")
	if err != nil || name == "" || filepath.Base(name) != name {
		return "", false
	}
	return name, true
}

// decide records, durably, that upload id is published as name: written
// beside, flushed, renamed into place and the folder flushed, so after a
// crash the marker is either the whole decision or absent.
func (st *store) decide(id, name string) error {
	tmp := st.path(id) + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, name+"\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, st.donePath(id))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(st.work)
	return nil
}
