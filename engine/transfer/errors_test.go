package transfer

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-app/ferry/fault"
)

func TestStatusErrorsAreClassified(t *testing.T) {
	cases := []struct {
		op   string
		code int
		kind fault.Kind
		c    fault.Code
		want string
	}{
		{"create", 401, fault.Permanent, fault.CodeAuth, "refused the credentials (401)"},
		{"patch", 403, fault.Permanent, fault.CodeAuth, "refused the credentials (403)"},
		{"create", 413, fault.Permanent, fault.CodeTooLarge, "too large (413)"},
		{"create", 400, fault.Permanent, fault.CodeBadRequest, "rejected the upload request (400): bad metadata"},
		{"create", 404, fault.Permanent, fault.CodeNotTus, "no tus upload endpoint"},
		{"head", 404, fault.Gone, fault.CodeGone, "no longer has the upload"},
		{"patch", 410, fault.Gone, fault.CodeGone, "no longer has the upload"},
		{"patch", 409, fault.Conflict, fault.CodeConflict, "409"},
		{"patch", 423, fault.Transient, fault.CodeServer, "423"},
		{"patch", 429, fault.Transient, fault.CodeServer, "429"},
		{"patch", 503, fault.Transient, fault.CodeServer, "503"},
		{"create", 412, fault.Permanent, fault.CodeNotTus, "tus 1.0.0"},
		{"create", 501, fault.Permanent, fault.CodeNotTus, "no tus upload endpoint"},
		{"create", 302, fault.Permanent, fault.CodeRedirect, "redirects (302)"},
		{"create", 418, fault.Permanent, fault.CodeBadRequest, "418"},
	}
	for _, c := range cases {
		res := &http.Response{StatusCode: c.code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("bad metadata\nmore"))}
		e := statusError(c.op, "http://h/files/", res)
		if e.Kind != c.kind || e.Code != c.c || !strings.Contains(e.Msg, c.want) {
			t.Errorf("%s %d: kind %d %q %q; want kind %d, %q and %q", c.op, c.code, e.Kind, e.Code, e.Msg, c.kind, c.c, c.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	if d := retryAfter("7"); d != 7*time.Second {
		t.Errorf("seconds: %s", d)
	}
	if d := retryAfter(time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)); d < time.Second || d > 3*time.Second {
		t.Errorf("date: %s", d)
	}
	if d := retryAfter("soon"); d != 0 {
		t.Errorf("junk: %s", d)
	}
	// A typo or a far-off clock must not park an upload for hours.
	if d := retryAfter("86400"); d != 5*time.Minute {
		t.Errorf("a day in seconds: %s", d)
	}
	if d := retryAfter("99999999999999999999"); d != 5*time.Minute {
		t.Errorf("overflowing seconds: %s", d)
	}
	if d := retryAfter(time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)); d != 5*time.Minute {
		t.Errorf("a date in two days: %s", d)
	}
}

// TestConnectionErrorsAreNamed: socket errors get a sentence and a code,
// whichever errno the OS uses for them (see errno_windows.go).
func TestConnectionErrorsAreNamed(t *testing.T) {
	op := func(errno syscall.Errno) error {
		return &url.Error{Op: "Patch", URL: "http://h/files/x", Err: &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", errno)}}
	}
	cases := []struct {
		err  error
		kind fault.Kind
		code fault.Code
		says string
	}{
		{op(syscall.ECONNRESET), fault.Transient, fault.CodeNetwork, "dropped"},
		{op(syscall.ECONNABORTED), fault.Transient, fault.CodeNetwork, "dropped"},
		{op(syscall.ECONNREFUSED), fault.Transient, fault.CodeUnreachable, "connection refused"},
		{op(syscall.ENETUNREACH), fault.Transient, fault.CodeNetwork, "no route"},
		{op(syscall.EHOSTUNREACH), fault.Transient, fault.CodeNetwork, "no route"},
		{op(syscall.ETIMEDOUT), fault.Transient, fault.CodeNetwork, "timed out"},
		{&url.Error{Op: "Post", URL: "ftp://h/", Err: errors.New("unsupported protocol scheme \"ftp\"")}, fault.Permanent, fault.CodeBadURL, "not an http(s) URL"},
	}
	for _, c := range cases {
		e := classify(c.err, "h", "http://h/files/x", true)
		if e.Kind != c.kind || e.Code != c.code || !strings.Contains(e.Msg, c.says) || !errors.Is(e, c.err) {
			t.Errorf("%v: kind %d %q %q; want kind %d, %q, %q", c.err, e.Kind, e.Code, e.Msg, c.kind, c.code, c.says)
		}
	}
}

func TestEncodeMetadata(t *testing.T) {
	got := encodeMetadata(map[string]string{"filename": "a b.mp4", "requiresignedurls": "", "name": "x"})
	want := "filename YSBiLm1wNA==,name eA==,requiresignedurls"
	if got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
