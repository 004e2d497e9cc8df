package receiver

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/internal/units"
)

// Space is promised at creation, or when a deferred length is declared:
// a length over --max-size, or over what the disk can still give after
// what unfinished uploads are owed and the reserve, is refused there and
// owes nothing. Every byte written is bounded again where it is written
// (stored.WriteChunk), whatever the form of the request: an upload whose
// length is not yet known may take no more than --max-size nor the disk's
// room, and a chunked body or creation-with-upload no more than its
// upload's length. Arithmetic is kept to differences of non-negative
// numbers no larger than the disk, so a length near 2^63 cannot wrap.

// spare is what the disk can still give an upload: free space less what
// unfinished uploads are owed and the reserve; 0 if that is negative. An
// error (no statfs) leaves the disk unbounded here: writing then fails
// with ENOSPC, answered 507.
func (st *store) spare() (int64, error) {
	free, err := st.freeSpace(st.work)
	if err != nil {
		return 0, err
	}
	return max(free-st.track.owed(st.work)-reserve-st.granted.Load(), 0), nil
}

// grantRoom is room for one write of an upload of unknown length, kept
// for it until release: parallel writes share the disk's spare room
// instead of each being given all of it.
func (st *store) grantRoom(offset int64) (left int64, bySize bool, release func()) {
	st.roomMu.Lock() // one grant at a time: each sees the others'
	defer st.roomMu.Unlock()
	left, bySize = st.room(offset)
	grant := max(left, 0)
	st.granted.Add(grant)
	return left, bySize, func() { st.granted.Add(-grant) }
}

// refuseLength says whether an upload may be length bytes long, holding
// offset of them already: nil, or the answer (413 or 507) with its reason
// logged.
func (st *store) refuseLength(info handler.FileInfo, length, offset int64) error {
	if e, over := st.overLimit(info, length); over {
		return e
	}
	spare, err := st.spare()
	if err == nil && length-offset > spare {
		st.refusals.say(st.logf, "space", "refused %s (%s): not enough space, %s free for it", label(info), units.Size(length), units.Size(spare))
		return handler.NewError("ERR_NOT_ENOUGH_SPACE",
			fmt.Sprintf("not enough space on the receiver: the file needs %s and %s is free", units.Size(length-offset), units.Size(spare)),
			http.StatusInsufficientStorage)
	}
	return nil
}

// overLimit refuses a length over --max-size: the answer (413), its
// reason logged.
func (st *store) overLimit(info handler.FileInfo, length int64) (handler.Error, bool) {
	if st.maxSize <= 0 || length <= st.maxSize {
		return handler.Error{}, false
	}
	st.refusals.say(st.logf, "size", "refused %s (%s): larger than the limit of %s", label(info), units.Size(length), units.Size(st.maxSize))
	return tooLarge(st.maxSize, length), true
}

func tooLarge(limit, size int64) handler.Error {
	return handler.NewError("ERR_MAX_SIZE_EXCEEDED", fmt.Sprintf("this receiver accepts files up to %s; this one is %s", units.Size(limit), units.Size(size)), http.StatusRequestEntityTooLarge)
}

// room is how many bytes an upload of unknown length may still write at
// offset (-1: no bound known), and whether --max-size rather than the
// disk's spare room is what bounds it.
func (st *store) room(offset int64) (left int64, bySize bool) {
	left = -1
	if st.maxSize > 0 {
		left, bySize = max(st.maxSize-offset, 0), true
	}
	if spare, err := st.spare(); err == nil && (left < 0 || spare < left) {
		left, bySize = spare, false
	}
	return left, bySize
}

// capped reads at most left bytes of r (left < 0: all of it); over is set
// once r proves to hold more.
type capped struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return c.r.Read(p)
	}
	if c.left == 0 {
		// One byte more, read to learn whether the body goes on.
		var one [1]byte
		n, err := io.ReadFull(c.r, one[:])
		if n > 0 {
			c.over = true
		}
		if err == nil || err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// writeCapped is WriteChunk for an upload whose length is not yet known:
// what fits is written, and a body with more is refused. One over
// --max-size can never become a file and is removed; one over the disk's
// room keeps what it has and may resume once space is freed.
func (u *stored) writeCapped(ctx context.Context, info handler.FileInfo, offset int64, src io.Reader) (int64, error) {
	left, bySize, release := u.st.grantRoom(offset)
	defer release()
	body := &capped{r: src, left: left}
	n, err := u.Upload.WriteChunk(ctx, offset, body)
	if req := requestOf(ctx); err == nil && !body.over && req != nil && req.body != nil && req.body.n.Load() > n {
		// tusd's own --max-size cut it first (a chunked body): it read
		// past what it let through, and ended the body quietly.
		body.over, bySize = true, true
	}
	if err != nil || !body.over {
		return n, err
	}
	if !bySize {
		u.st.refusals.say(u.st.logf, "space", "refused more of %s: the disk is full (%s)", label(info), receivedSoFar(info, offset+n))
		return n, errDiskFull
	}
	u.st.refusals.say(u.st.logf, "size", "refused %s: over the limit of %s before declaring its length; removed", label(info), units.Size(u.st.maxSize))
	u.st.remove(u.id)
	return n, tooLarge(u.st.maxSize, offset+n+1)
}
