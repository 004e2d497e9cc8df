package awake

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/ferry-app/ferry/internal/dbustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// fakeLogind answers Inhibit like logind: with one end of a pipe, whose
// other end reads EOF once every copy of the handed-out end is closed.
type fakeLogind struct {
	mu     sync.Mutex
	calls  [][4]string
	given  []*os.File // our copies of the handed-out ends
	reads  []*os.File
	refuse bool
}

func (f *fakeLogind) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, [4]string{what, who, why, mode})
	if f.refuse {
		return -1, dbus.NewError("org.freedesktop.DBus.Error.AccessDenied", []any{"Permission denied"})
	}
	r, w, err := os.Pipe()
	if err != nil {
		return -1, dbus.MakeFailedError(err)
	}
	f.given, f.reads = append(f.given, w), append(f.reads, r)
	return dbus.UnixFD(w.Fd()), nil
}

// last returns the read end of the last pipe handed out, after closing
// our copy of its write end: from then on only the Inhibitor holds it.
func (f *fakeLogind) last(t *testing.T) *os.File {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.given) == 0 {
		t.Fatal("logind handed out no descriptor")
	}
	f.given[len(f.given)-1].Close()
	r := f.reads[len(f.reads)-1]
	t.Cleanup(func() { r.Close() })
	return r
}

func (f *fakeLogind) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeLogind) call(n int) [4]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[n]
}

// privateBus starts a dbus-daemon of our own and returns its address.
func privateBus(t *testing.T) string { return dbustest.PrivateBus(t) }

// serveLogind claims logind's name on the bus and answers for it.
func serveLogind(t *testing.T, addr string) *fakeLogind {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if !conn.SupportsUnixFDs() {
		t.Fatal("the private bus does not pass file descriptors")
	}
	f := &fakeLogind{}
	if err := conn.Export(f, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("claiming logind's name: %v %v", reply, err)
	}
	return f
}

func onBus(addr string) *Inhibitor {
	i := New("Ferry", "Uploading")
	i.sys.bus = func(ctx context.Context) (*dbus.Conn, error) {
		return dbus.Connect(addr, dbus.WithContext(ctx))
	}
	return i
}

// eof reports whether r reads EOF within a while; false if it would block.
func eof(t *testing.T, r *os.File, within time.Duration) bool {
	t.Helper()
	r.SetReadDeadline(time.Now().Add(within))
	_, err := r.Read(make([]byte, 1))
	switch {
	case err == io.EOF:
		return true
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false
	default:
		t.Fatalf("reading the pipe: %v", err)
		return false
	}
}

func TestHoldTakesAndReleasesLogindInhibitor(t *testing.T) {
	addr := privateBus(t)
	logind := serveLogind(t, addr)
	i := onBus(addr)
	defer i.Close()

	if err := i.Hold(true); err != nil {
		t.Fatal(err)
	}
	if !i.Held() {
		t.Fatal("Held() = false after Hold(true)")
	}
	if got, want := logind.call(0), [4]string{"sleep:idle", "Ferry", "Uploading", "block"}; got != want {
		t.Fatalf("Inhibit%q, want Inhibit%q", got, want)
	}
	r := logind.last(t)
	if eof(t, r, 100*time.Millisecond) {
		t.Fatal("the inhibitor's descriptor was closed while held")
	}

	if err := i.Hold(true); err != nil {
		t.Fatal(err)
	}
	if n := logind.count(); n != 1 {
		t.Fatalf("a second Hold(true) called Inhibit again: %d calls", n)
	}

	if err := i.Hold(false); err != nil {
		t.Fatal(err)
	}
	if i.Held() {
		t.Fatal("Held() = true after Hold(false)")
	}
	if !eof(t, r, 2*time.Second) {
		t.Fatal("Hold(false) left the inhibitor's descriptor open")
	}
	if err := i.Hold(false); err != nil {
		t.Fatal(err)
	}

	if err := i.Hold(true); err != nil {
		t.Fatal(err)
	}
	if n := logind.count(); n != 2 {
		t.Fatalf("Hold(true) after a release made %d calls in all, want 2", n)
	}
	r = logind.last(t)
	if err := i.Close(); err != nil {
		t.Fatal(err)
	}
	if !eof(t, r, 2*time.Second) {
		t.Fatal("Close left the inhibitor's descriptor open")
	}
}

func TestHoldConcurrentCallsInhibitOnce(t *testing.T) {
	addr := privateBus(t)
	logind := serveLogind(t, addr)
	i := onBus(addr)
	defer i.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := i.Hold(true); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := logind.count(); n != 1 {
		t.Fatalf("8 concurrent Hold(true) made %d calls, want 1", n)
	}
}

func TestHoldRefusedByLogind(t *testing.T) {
	addr := privateBus(t)
	logind := serveLogind(t, addr)
	logind.mu.Lock()
	logind.refuse = true
	logind.mu.Unlock()
	i := onBus(addr)
	err := i.Hold(true)
	if err == nil || !strings.HasPrefix(err.Error(), "Cannot keep the computer awake: logind refused") {
		t.Fatalf("Hold(true) = %v, want logind's refusal", err)
	}
	var derr dbus.Error
	if !errors.As(err, &derr) || derr.Name != "org.freedesktop.DBus.Error.AccessDenied" {
		t.Fatalf("the D-Bus error is not reachable in %v", err)
	}
	if i.Held() {
		t.Fatal("Held() = true after a refusal")
	}
}

func TestHoldWithoutBus(t *testing.T) {
	i := onBus("unix:path=" + filepath.Join(wine.TempDir(t), "none"))
	start := time.Now()
	err := i.Hold(true)
	if err == nil || !strings.HasPrefix(err.Error(), "Cannot keep the computer awake: logind is not reachable over D-Bus (") {
		t.Fatalf("Hold(true) = %v, want logind not reachable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("a missing bus took %v to report", d)
	}
	if i.Held() {
		t.Fatal("Held() = true without a bus")
	}
}

// A bus that accepts and then says nothing must not hang Hold.
func TestHoldSilentBusTimesOut(t *testing.T) {
	dir, err := os.MkdirTemp("", "awake")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	i := onBus("unix:path=" + path)
	start := time.Now()
	err = i.Hold(true)
	if err == nil || !strings.Contains(err.Error(), "logind") {
		t.Fatalf("Hold(true) = %v, want an error about logind", err)
	}
	if d := time.Since(start); d > timeout+time.Second {
		t.Fatalf("a silent bus held Hold for %v", d)
	}
}
