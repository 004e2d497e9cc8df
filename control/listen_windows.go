package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows the running Ferry answers on a named pipe, the platform's
// way for one program to ask another (AF_UNIX is missing before Windows
// 10 1803, and in Wine). The pipe is named from the data dir, so two data
// dirs are two Ferrys; only the user who runs Ferry may open it, and only
// from this computer.
//
// The pipe's handles are overlapped, so that os.NewFile puts them on the
// runtime's I/O completion port (Go 1.25 and later): a connection reads
// and writes at once, as net/http needs. go-winio does the same with an
// I/O port of its own, whose accepts never complete under Wine, where
// Ferry's Windows tests run.

// pipeName is the data dir's pipe: Windows paths are case-insensitive.
func pipeName(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	h := sha256.Sum256([]byte(strings.ToLower(filepath.Clean(abs))))
	return `\\.\pipe\ferry-` + hex.EncodeToString(h[:12])
}

// userOnly lets only the current user open the pipe.
func userOnly() (*windows.SecurityAttributes, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + u.User.Sid.String() + ")")
	if err != nil {
		return nil, err
	}
	return &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}, nil
}

const pipeBuffer = 64 << 10

// pipeListener hands out the connections of one pipe name.
type pipeListener struct {
	name   string
	sa     *windows.SecurityAttributes
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	handle windows.Handle // the instance waiting for a client (under mu)
}

func listen(dataDir string) (net.Listener, func(), error) {
	sa, err := userOnly()
	if err != nil {
		return nil, nil, err
	}
	l := &pipeListener{name: pipeName(dataDir), sa: sa, conns: make(chan net.Conn), done: make(chan struct{})}
	// The first instance is made here, so that a second Ferry on the same
	// data dir (which cannot be: the queue's lock) or a squatter is seen.
	h, err := l.instance(windows.FILE_FLAG_FIRST_PIPE_INSTANCE)
	if err != nil {
		return nil, nil, err
	}
	go l.serve(h)
	return l, func() {}, nil
}

// instance makes one instance of the pipe, to wait for one client.
func (l *pipeListener) instance(flags uint32) (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString(l.name)
	if err != nil {
		return 0, err
	}
	return windows.CreateNamedPipe(name, windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED|flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, pipeBuffer, pipeBuffer, 0, l.sa)
}

// serve waits for each client in turn and hands its connection to
// Accept; the next instance is made first, so a client never finds no
// pipe between two connections.
func (l *pipeListener) serve(h windows.Handle) {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		windows.CloseHandle(h)
		return
	}
	defer windows.CloseHandle(ev)
	for {
		connected, open := l.await(h, ev)
		if !open {
			windows.CloseHandle(h)
			return
		}
		next, err := l.instance(0)
		if !connected {
			windows.CloseHandle(h)
		} else {
			select {
			case l.conns <- newPipeConn(h, l.name):
			case <-l.done:
				windows.CloseHandle(h)
				if err == nil {
					windows.CloseHandle(next)
				}
				return
			}
		}
		if err != nil {
			return
		}
		h = next
	}
}

// await waits until a client opens instance h; open is false once the
// listener is closed. The wait is begun under l.mu, so Close cancels
// either a wait that has begun or one that never will.
func (l *pipeListener) await(h, ev windows.Handle) (connected, open bool) {
	windows.ResetEvent(ev)
	ov := windows.Overlapped{HEvent: ev}
	l.mu.Lock()
	select {
	case <-l.done:
		l.mu.Unlock()
		return false, false
	default:
	}
	l.handle = h
	err := windows.ConnectNamedPipe(h, &ov)
	l.mu.Unlock()
	switch {
	case err == nil, errors.Is(err, windows.ERROR_PIPE_CONNECTED):
		return true, true
	case !errors.Is(err, windows.ERROR_IO_PENDING):
		return false, true
	}
	windows.WaitForSingleObject(ev, windows.INFINITE)
	var n uint32
	if windows.GetOverlappedResult(h, &ov, &n, false) == nil {
		return true, true
	}
	select {
	case <-l.done:
		return false, false
	default:
		return false, true
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops the listener: the wait for a client is cancelled.
func (l *pipeListener) Close() error {
	l.once.Do(func() {
		l.mu.Lock()
		close(l.done)
		windows.CancelIoEx(l.handle, nil)
		l.mu.Unlock()
	})
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.name) }

func dial(ctx context.Context, dataDir string) (net.Conn, error) {
	return dialPipe(ctx, pipeName(dataDir), 5*time.Second)
}

// dialPipe opens a pipe, waiting up to busy while every instance is taken.
func dialPipe(ctx context.Context, name string, busy time.Duration) (net.Conn, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(busy)
	for {
		h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
		if err == nil {
			return newPipeConn(h, name), nil
		}
		if !errors.Is(err, windows.ERROR_PIPE_BUSY) || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pipeConn is one end of a pipe as a net.Conn; its reads, writes and
// deadlines are the runtime poller's.
type pipeConn struct {
	*os.File
	name string
}

func newPipeConn(h windows.Handle, name string) *pipeConn {
	return &pipeConn{File: os.NewFile(uintptr(h), name), name: name}
}

func (c *pipeConn) LocalAddr() net.Addr  { return pipeAddr(c.name) }
func (c *pipeConn) RemoteAddr() net.Addr { return pipeAddr(c.name) }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }
