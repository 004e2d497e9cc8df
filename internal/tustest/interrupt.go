package tustest

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
)

// Why this file exists: when a request wants an upload's lock, tusd v2.9.1
// calls the holder's release callback, which cancels the holder's context;
// a goroutine then reads the holder's c.body with no synchronisation against
// the handler goroutine that set it (handler/context.go). `go test -race`
// reports that on resume-after-failure, which is exactly what Ferry's tests
// do. So the requesting goroutine only signals; the holder's own goroutine,
// waiting in the body Read below, runs the callback. tusd then behaves as
// usual: it closes the body, keeps what it read and answers 400
// ERR_UPLOAD_INTERRUPTED.
//
// The body read therefore runs on a helper goroutine, so the holder can
// react while the socket is idle, without a read deadline of our own: a
// failed read makes net/http cancel the request context, and tusd would
// then ignore the release.

type reqStateKey struct{}

// reqState is per request, reachable from tusd's lock context.
type reqState struct {
	ctx         context.Context // the request's own context
	rc          *http.ResponseController
	interrupted chan struct{} // closed when another request wants the lock
	intOnce     sync.Once

	mu      sync.Mutex
	release func() // tusd's callback for the held lock
	relOnce sync.Once

	closed    chan struct{} // tusd closed the body (its reaction to release)
	closeOnce sync.Once
}

func (rs *reqState) interrupt(release func()) {
	rs.mu.Lock()
	if rs.release == nil {
		rs.release = release
	}
	rs.mu.Unlock()
	rs.intOnce.Do(func() { close(rs.interrupted) })
}

// stop runs tusd's release callback on the holder's goroutine and waits for
// tusd to close the body in response.
func (rs *reqState) stop() {
	rs.relOnce.Do(func() {
		rs.mu.Lock()
		release := rs.release
		rs.mu.Unlock()
		release()
	})
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-rs.closed:
	case <-rs.ctx.Done(): // request already over: tusd will not react
	case <-t.C:
	}
}

type syncLocker struct{ inner handler.Locker }

func (l syncLocker) NewLock(id string) (handler.Lock, error) {
	lk, err := l.inner.NewLock(id)
	if err != nil {
		return nil, err
	}
	return syncLock{lk}, nil
}

type syncLock struct{ inner handler.Lock }

func (l syncLock) Lock(ctx context.Context, release func()) error {
	rs, _ := ctx.Value(reqStateKey{}).(*reqState)
	if rs == nil {
		return l.inner.Lock(ctx, release)
	}
	return l.inner.Lock(ctx, func() { rs.interrupt(release) })
}

func (l syncLock) Unlock() error { return l.inner.Unlock() }

type readResult struct {
	n   int
	err error
}

// countingBody counts the body bytes tusd reads and delivers interrupts on
// the reading goroutine.
type countingBody struct {
	io.ReadCloser
	n   *atomic.Int64
	rs  *reqState
	res chan readResult // one read in flight at a time
}

func (b *countingBody) Read(p []byte) (int, error) {
	select {
	case <-b.rs.interrupted:
		b.rs.stop()
		return 0, http.ErrBodyReadAfterClose // tusd: "we closed it", not a client error
	default:
	}
	go func() {
		n, err := b.ReadCloser.Read(p)
		b.res <- readResult{n, err}
	}()
	var r readResult
	select {
	case r = <-b.res:
	case <-b.rs.interrupted:
		b.rs.stop() // tusd's close sets a read deadline, which ends the read
		select {
		case r = <-b.res:
		case <-time.After(time.Second):
			b.rs.rc.SetReadDeadline(time.Now()) // tusd did not react; end it ourselves
			r = <-b.res
		}
		r.err = http.ErrBodyReadAfterClose // p is ours again: keep the bytes, like tusd does
	}
	b.n.Add(int64(r.n))
	return r.n, r.err
}

func (b *countingBody) Close() error {
	b.rs.closeOnce.Do(func() { close(b.rs.closed) })
	return b.ReadCloser.Close()
}

// track attaches the per-request state and, for requests carrying upload
// data, the counting body.
func (s *Server) track(w http.ResponseWriter, r *http.Request) *http.Request {
	rs := &reqState{
		ctx:         r.Context(),
		rc:          http.NewResponseController(w),
		interrupted: make(chan struct{}),
		closed:      make(chan struct{}),
	}
	r = r.WithContext(context.WithValue(r.Context(), reqStateKey{}, rs))
	m := effectiveMethod(r)
	data := m == "PATCH" || m == "POST" && r.Header.Get("Content-Type") == "application/offset+octet-stream"
	if data && r.Body != nil && r.Body != http.NoBody {
		r.Body = &countingBody{ReadCloser: r.Body, n: &s.received, rs: rs, res: make(chan readResult, 1)}
	}
	return r
}
