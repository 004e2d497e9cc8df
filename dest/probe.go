package dest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
)

// ErrUnchecked says what a test could not check without uploading. It
// comes inside an error with CodeUnchecked; errors.As finds it.
type ErrUnchecked struct{ Msg string }

func (e *ErrUnchecked) Error() string { return e.Msg }

// unchecked is what a test leaves to the first upload, with its code.
func unchecked(msg string) *fault.Error {
	return fault.Wrap(fault.CodeUnchecked, &ErrUnchecked{Msg: msg}, "%s", msg)
}

// TestTimeout bounds a whole test of a destination.
const TestTimeout = 20 * time.Second

// Test checks a destination, its secrets resolved, without uploading,
// with requests that need its credentials. The error is one sentence; an
// *ErrUnchecked says what is left to the first upload.
func Test(hc *http.Client, d Destination) error {
	ctx, cancel := context.WithTimeout(context.Background(), TestTimeout)
	defer cancel()
	p := &Probe{ctx: ctx, hc: hc}
	if t := d.Provider().Test; t != nil {
		return t(p, d)
	}
	return p.tus(d)
}

// Probe sends a test's requests.
type Probe struct {
	ctx context.Context
	hc  *http.Client
}

// tus asks a tus server OPTIONS (is it tus?) and then HEAD of an upload
// that cannot exist, with the destination's headers: a server that takes
// the credentials answers 404 (or 410), one that refuses them 401 or 403,
// and anything else is not a tus server where the URL says.
func (p *Probe) tus(d Destination) error {
	who := "The server at " + transfer.HostOf(d.URL)
	opts, err := p.ask(d, who, http.MethodOptions, d.URL)
	if err != nil {
		return err
	}
	probe, err := testUploadURL(d.URL)
	if err != nil {
		return fault.Wrap(fault.CodeBadURL, err, "%q is not a valid URL.", d.URL)
	}
	head, err := p.ask(d, who, http.MethodHead, probe)
	if err != nil {
		return err
	}
	switch head.status {
	case http.StatusNotFound, http.StatusGone:
		if opts.isTus() || head.isTus() {
			return nil
		}
		return fault.Wrap(fault.CodeNotTus, nil, "%s answers, but not as a tus server (%s to OPTIONS, without Tus-Version). Check the URL.", who, statusText(opts.status))
	}
	return head.unexpected(who, "the test (HEAD of an upload that does not exist, which a tus server answers with 404)", "Check the URL.")
}

// testUploadURL is an upload URL under the creation URL that no server
// can have handed out.
func testUploadURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", err
	}
	var b [16]byte
	rand.Read(b[:])
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ferry-test-" + hex.EncodeToString(b[:])
	u.RawPath = ""
	return u.String(), nil
}

// answer is what a test request got back: its status, headers, the
// start of its body.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) isTus() bool {
	return a.header.Get("Tus-Version") != "" || a.header.Get("Tus-Resumable") != ""
}

// unexpected is the sentence for an answer that fits no case: its status,
// what it was an answer to, and what the body is if it says (a web page;
// the first line of a short text).
func (a answer) unexpected(who, to, todo string) error {
	hint := ""
	ct := a.header.Get("Content-Type")
	line := strings.TrimSpace(strings.SplitN(string(a.body), "\n", 2)[0])
	switch {
	case strings.Contains(ct, "html") || strings.HasPrefix(line, "<"):
		hint = " (a web page)"
	case line != "" && len(line) <= 200 && !strings.HasPrefix(line, "{"):
		hint = fmt.Sprintf(" (%q)", line)
	}
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeBadRequest, Status: a.status,
		Msg: fmt.Sprintf("%s answered %s%s to %s. %s", who, statusText(a.status), hint, to, todo)}
}

// ask sends one test request with the destination's headers, following
// no redirect, and judges what every answer can mean: refused
// credentials (in the provider's words), a redirect (to a login page,
// say, which is no answer to the test), server trouble. The rest is the
// caller's.
func (p *Probe) ask(d Destination, who, method, target string) (answer, error) {
	req, err := http.NewRequestWithContext(p.ctx, method, target, nil)
	if err != nil {
		return answer{}, fault.Wrap(fault.CodeBadURL, err, "%q is not a valid URL.", target)
	}
	for k, v := range d.Header {
		req.Header[k] = v
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	hc := http.Client{}
	if p.hc != nil {
		hc = *p.hc
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := hc.Do(req)
	if err != nil {
		return answer{}, p.unreachable(who, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	a := answer{status: res.StatusCode, header: res.Header, body: body}
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return a, Refused(d, code, nil)
	case code/100 == 3:
		where := "nowhere (no Location)"
		if loc, err := res.Request.URL.Parse(res.Header.Get("Location")); err == nil && res.Header.Get("Location") != "" {
			where = RedactURL(loc.String())
		}
		return a, &fault.Error{Kind: fault.Permanent, Code: fault.CodeRedirect, Status: code,
			Msg: fmt.Sprintf("%s answered the test with a redirect (%s) to %s, where no upload can go (a login page?). Check the URL and the credentials.", who, statusText(code), where)}
	case code >= 500:
		return a, &fault.Error{Kind: fault.Transient, Code: fault.CodeServer, Status: code,
			Msg: fmt.Sprintf("%s had a problem (%s). Try again later.", who, statusText(code))}
	}
	return a, nil
}

// unreachable is the sentence for a test request that got no answer.
func (p *Probe) unreachable(who string, err error) error {
	why := "no answer"
	var uerr *url.Error
	switch {
	case errors.Is(p.ctx.Err(), context.DeadlineExceeded):
		why = fmt.Sprintf("no answer within %s", TestTimeout)
	case errors.As(err, &uerr):
		why = fault.Cause(uerr.Err)
	}
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeUnreachable, Err: err,
		Msg: fmt.Sprintf("%s cannot be reached (%s). Check the URL and the network.", who, why)}
}
