package transfer

import (
	"context"
	"io"
	"os"
	"time"

	"golang.org/x/time/rate"

	"github.com/ferry-app/ferry/localfile"
)

// body returns the fastest body the settings allow for r, read from a new
// handle: a fileBody, sent with sendfile, when there is no rate limit,
// else a reader that waits on the shared limiter.
func (c *Client) body(ctx context.Context, files *openFiles, r request, g *gate) (rc io.ReadCloser, isFile bool, err error) {
	f, err := files.open(r.path)
	if err != nil {
		return nil, false, err
	}
	g.opened(f)
	last := &lastByte{g: g}
	if !c.limited() {
		if _, err := f.Seek(r.offset, io.SeekStart); err != nil {
			return nil, false, localfile.Gone(r.path, err)
		}
		return &fileBody{f: f, left: r.n, last: last, files: files}, true, nil
	}
	lb := &limitedBody{ctx: ctx, r: io.NewSectionReader(f, r.offset, r.n), left: r.n, lim: c.Limiter, stall: c.stall(), last: last}
	return closeNotice{lb, files}, false, nil
}

// closeNotice tells files when net/http closes the body.
type closeNotice struct {
	io.Reader
	files *openFiles
}

func (c closeNotice) Close() error {
	c.files.bodyClosed()
	return nil
}

// fileBody is a request body: the next `left` bytes of a file, from its
// current offset. net/http reads it into its buffer at first, then hands
// it (inside an io.LimitedReader) to countingConn.ReadFrom, which sends
// the rest with sendfile. Both paths hold the final byte back for the
// guard. Close only says that net/http is done with it: the request owns
// the file.
type fileBody struct {
	f     *os.File
	left  int64
	last  *lastByte
	files *openFiles
}

func (b *fileBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	k, err := b.last.allow(int64(len(p)), b.left)
	if err != nil {
		return 0, err
	}
	n, err := b.f.Read(p[:k])
	b.read(int64(n))
	return n, err
}

// read accounts for n bytes read from the file, by Read or sendfile.
func (b *fileBody) read(n int64) {
	b.left -= n
}

func (b *fileBody) Close() error {
	b.files.bodyClosed()
	return nil
}

// limitedBody reads through the shared rate limiter, in pieces small
// enough that no wait outlasts a quarter of the stall timeout (at 1 KB/s a
// 32 KiB piece would wait half a minute and look like a dead link).
type limitedBody struct {
	ctx   context.Context
	r     io.Reader
	left  int64
	lim   *rate.Limiter
	stall time.Duration
	last  *lastByte
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	k, err := b.last.allow(int64(len(p)), b.left)
	if err != nil {
		return 0, err
	}
	n, err := b.read(p[:k])
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) read(p []byte) (int, error) {
	for tries := 0; ; tries++ {
		limit := b.lim.Limit()
		if limit == rate.Inf {
			return b.r.Read(p)
		}
		n := min(len(p), b.lim.Burst(), max(int(float64(limit)*b.stall.Seconds()/4), 512))
		err := b.lim.WaitN(b.ctx, n)
		if err == nil {
			return b.r.Read(p[:n])
		}
		// The limit changed between sizing and waiting: size again.
		if b.ctx.Err() != nil || tries == 3 {
			return 0, err
		}
	}
}
