package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-app/ferry/engine/transfer"
)

// ErrUnchecked says what a test could not check without uploading. It
// comes inside an *Error with CodeUnchecked; errors.As finds it.
type ErrUnchecked struct{ Msg string }

func (e *ErrUnchecked) Error() string { return e.Msg }

// testTimeout bounds a whole test of a destination.
const testTimeout = 20 * time.Second

// TestDestination checks a saved destination without uploading, with
// requests that need its credentials: a tus server is asked (HEAD) about
// an upload that cannot exist, which it answers 404 only to credentials
// it takes; Cloudflare checks the API token and lists the account's
// videos; Vimeo says who the access token belongs to; the receive folder
// of the builtin receiver is written to. The error is one sentence; an
// *ErrUnchecked says what is left to the first upload (a backend: only a
// creation request would show whether it takes its headers). The window
// and `ferry dest test` both ask this.
func (e *Engine) TestDestination(name string) error {
	e.mu.Lock()
	saved, ok := e.saved[name]
	e.mu.Unlock()
	if !ok {
		return noDestination(name)
	}
	d, err := e.resolve(saved)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	switch d.kind() {
	case KindBuiltin:
		if err := os.MkdirAll(d.Dir, 0o755); err != nil {
			return FileError(d.Dir, err)
		}
		f, err := os.CreateTemp(d.Dir, ".ferry-test-*")
		if err != nil {
			return permanent(CodeFileUnreadable, err, "Cannot write into %s: %v.", d.Dir, transfer.RootCause(err))
		}
		cerr := f.Close()
		if err := os.Remove(f.Name()); err != nil {
			return permanent(CodeFileUnreadable, err, "Ferry can write into %s but cannot delete from it (%v); its test file %s is left there. Check the folder's permissions.", d.Dir, transfer.RootCause(err), filepath.Base(f.Name()))
		}
		if cerr != nil {
			return permanent(CodeFileUnreadable, cerr, "Cannot write into %s: %v.", d.Dir, transfer.RootCause(cerr))
		}
		return nil
	case KindCloudflare:
		return e.testCloudflare(ctx, d)
	case KindVimeo:
		a, err := e.ask(ctx, d, "Vimeo", http.MethodGet, vimeoAPI()+"/me")
		if err != nil || a.status == http.StatusOK {
			return err
		}
		return a.unexpected("Vimeo", "a check of the access token (GET /me)", "Try again later.")
	case KindBackend:
		a, err := e.ask(ctx, d, "The backend", http.MethodOptions, d.URL)
		if err != nil {
			return err
		}
		// Only a creation request would show whether it takes its headers,
		// and that would start an upload at the provider.
		return unchecked(fmt.Sprintf("The backend answers (%s to OPTIONS); whether it accepts its headers shows at the first upload, which asks it for an upload URL. A test cannot ask without starting an upload.", a.statusText()))
	}
	return e.testTus(ctx, d)
}

// unchecked is what a test leaves to the first upload, with its code.
func unchecked(msg string) *Error {
	return permanent(CodeUnchecked, &ErrUnchecked{Msg: msg}, "%s", msg)
}

// testTus asks a tus server OPTIONS (is it tus?) and then HEAD of an
// upload that cannot exist, with the destination's headers: a server that
// takes the credentials answers 404 (or 410), one that refuses them 401
// or 403, and anything else is not a tus server where the URL says.
func (e *Engine) testTus(ctx context.Context, d Destination) error {
	who := "The server at " + transfer.HostOf(d.URL)
	opts, err := e.ask(ctx, d, who, http.MethodOptions, d.URL)
	if err != nil {
		return err
	}
	probe, err := testUploadURL(d.URL)
	if err != nil {
		return permanent(CodeBadURL, err, "%q is not a valid URL.", d.URL)
	}
	head, err := e.ask(ctx, d, who, http.MethodHead, probe)
	if err != nil {
		return err
	}
	switch head.status {
	case http.StatusNotFound, http.StatusGone:
		if opts.isTus() || head.isTus() {
			return nil
		}
		return permanent(CodeNotTus, nil, "%s answers, but not as a tus server (%s to OPTIONS, without Tus-Version). Check the URL.", who, opts.statusText())
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

// testCloudflare checks the API token (Cloudflare's token verification)
// and the account (Stream's list of its videos, which needs both). The
// list decides: an account-owned token is unknown to the user's token
// verification but lists the videos; the verification only tells a token
// refused from an account that is not the token's.
func (e *Engine) testCloudflare(ctx context.Context, d Destination) error {
	v, err := e.ask(ctx, d, "Cloudflare", http.MethodGet, cloudflareAPI()+"/user/tokens/verify")
	tokenRefused := false
	switch {
	case CodeOf(err) == CodeAuth:
		tokenRefused = true
	case err != nil:
		return err
	case v.status == http.StatusOK:
		var ans struct {
			Result struct {
				Status string `json:"status"`
			} `json:"result"`
		}
		if json.Unmarshal(v.body, &ans) == nil && ans.Result.Status != "" && ans.Result.Status != "active" {
			return permanent(CodeAuth, nil, "Cloudflare says the API token%s is %s. Make a new one (with the Stream Edit permission) and save it.", savedFor(d), ans.Result.Status)
		}
	}
	list, err := e.ask(ctx, d, "Cloudflare", http.MethodGet, d.Endpoint()+"?limit=1")
	switch {
	case CodeOf(err) == CodeAuth && tokenRefused:
		return err
	case CodeOf(err) == CodeAuth:
		status := err.(*Error).Status
		return &Error{Kind: transfer.Permanent, Code: CodeAuth, Status: status,
			Msg: fmt.Sprintf("Cloudflare takes the API token but refused it for account %s (%d). Check the account id%s, and that the token has the Stream Edit permission on that account.", d.Account, status, savedFor(d))}
	case err != nil:
		return err
	case list.status == http.StatusOK:
		return nil
	case list.status == http.StatusNotFound || list.cloudflareCode(7003, 7000):
		return unknownAccount(d, list.status, nil)
	}
	return list.unexpected("Cloudflare", "the list of the account's videos", "Try again later.")
}

// answer is what a test request got back: its status, headers, the
// start of its body.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) statusText() string {
	return fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
}

func (a answer) isTus() bool {
	return a.header.Get("Tus-Version") != "" || a.header.Get("Tus-Resumable") != ""
}

// cloudflareCode: Cloudflare's JSON errors carry one of the codes.
func (a answer) cloudflareCode(codes ...int) bool {
	var ans struct {
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(a.body, &ans) != nil {
		return false
	}
	for _, e := range ans.Errors {
		for _, c := range codes {
			if e.Code == c {
				return true
			}
		}
	}
	return false
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
	return &Error{Kind: transfer.Permanent, Code: transfer.CodeBadRequest, Status: a.status,
		Msg: fmt.Sprintf("%s answered %s%s to %s. %s", who, a.statusText(), hint, to, todo)}
}

// ask sends one test request with the destination's headers, following
// no redirect, and judges what every answer can mean: refused
// credentials (in the provider's words), a redirect (to a login page,
// say, which is no answer to the test), server trouble. The rest is the
// caller's.
func (e *Engine) ask(ctx context.Context, d Destination, who, method, target string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return answer{}, permanent(CodeBadURL, err, "%q is not a valid URL.", target)
	}
	for k, v := range d.Header {
		req.Header[k] = v
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	hc := http.Client{}
	if e.client.HTTP != nil {
		hc = *e.client.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := hc.Do(req)
	if err != nil {
		return answer{}, unreachable(ctx, who, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	a := answer{status: res.StatusCode, header: res.Header, body: body}
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return a, refused(d, code, nil)
	case code/100 == 3:
		where := "nowhere (no Location)"
		if loc, err := res.Request.URL.Parse(res.Header.Get("Location")); err == nil && res.Header.Get("Location") != "" {
			where = RedactURL(loc.String())
		}
		return a, &Error{Kind: transfer.Permanent, Code: transfer.CodeRedirect, Status: code,
			Msg: fmt.Sprintf("%s answered the test with a redirect (%s) to %s, where no upload can go (a login page?). Check the URL and the credentials.", who, a.statusText(), where)}
	case code >= 500:
		return a, &Error{Kind: transfer.Transient, Code: transfer.CodeServer, Status: code,
			Msg: fmt.Sprintf("%s had a problem (%s). Try again later.", who, a.statusText())}
	}
	return a, nil
}

// unreachable is the sentence for a test request that got no answer.
func unreachable(ctx context.Context, who string, err error) error {
	why := "no answer"
	var uerr *url.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		why = fmt.Sprintf("no answer within %s", testTimeout)
	case errors.As(err, &uerr):
		why = transfer.RootCause(uerr.Err).Error()
	}
	return &Error{Kind: transfer.Permanent, Code: CodeUnreachable, Err: err,
		Msg: fmt.Sprintf("%s cannot be reached (%s). Check the URL and the network.", who, why)}
}
