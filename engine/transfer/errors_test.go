package transfer

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusErrorsAreClassified(t *testing.T) {
	cases := []struct {
		op   string
		code int
		kind Kind
		want string
	}{
		{"create", 401, Permanent, "refused the credentials (401)"},
		{"patch", 403, Permanent, "refused the credentials (403)"},
		{"create", 413, Permanent, "too large (413)"},
		{"create", 400, Permanent, "rejected the upload request (400): bad metadata"},
		{"create", 404, Permanent, "no tus upload endpoint"},
		{"head", 404, Gone, "no longer has the upload"},
		{"patch", 410, Gone, "no longer has the upload"},
		{"patch", 409, Conflict, "409"},
		{"patch", 423, Transient, "423"},
		{"patch", 429, Transient, "429"},
		{"patch", 503, Transient, "503"},
		{"create", 412, Permanent, "tus 1.0.0"},
		{"create", 501, Permanent, "no tus upload endpoint"},
	}
	for _, c := range cases {
		res := &http.Response{StatusCode: c.code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("bad metadata\nmore"))}
		e := statusError(c.op, "http://h/files/", res)
		if e.Kind != c.kind || !strings.Contains(e.Msg, c.want) {
			t.Errorf("%s %d: kind %d %q; want kind %d and %q", c.op, c.code, e.Kind, e.Msg, c.kind, c.want)
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
}

func TestEncodeMetadata(t *testing.T) {
	got := encodeMetadata(map[string]string{"filename": "a b.mp4", "requiresignedurls": "", "name": "x"})
	want := "filename YSBiLm1wNA==,name eA==,requiresignedurls"
	if got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
