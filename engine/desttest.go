package engine

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/ferry-app/ferry/engine/transfer"
)

// ErrUnchecked says what a test could not check without uploading.
type ErrUnchecked struct{ Msg string }

func (e *ErrUnchecked) Error() string { return e.Msg }

// TestDestination checks what can be checked of a saved destination
// without uploading: the tus server answers OPTIONS, the provider accepts
// the token, the backend answers, the receive folder can be written. The
// error is one sentence; an *ErrUnchecked says what is left to the first
// upload.
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
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	switch d.kind() {
	case KindBuiltin:
		if err := os.MkdirAll(d.Dir, 0o755); err != nil {
			return FileError(d.Dir, err)
		}
		f, err := os.CreateTemp(d.Dir, ".ferry-test-*")
		if err != nil {
			return permanent(CodeFileUnreadable, err, "Cannot write into %s: %v.", d.Dir, err)
		}
		f.Close()
		return os.Remove(f.Name())
	case KindCloudflare:
		return e.probe(ctx, d, http.MethodGet, d.Endpoint()+"?limit=1", "Cloudflare", func(res *http.Response) error {
			if res.StatusCode == http.StatusNotFound {
				return permanent(CodeBadURL, nil, "Cloudflare does not know the account %s (404). Check the account id.", d.Account)
			}
			return nil
		})
	case KindVimeo:
		return e.probe(ctx, d, http.MethodGet, vimeoAPI()+"/me", "Vimeo", nil)
	case KindBackend:
		if err := e.probe(ctx, d, http.MethodOptions, d.URL, "The backend", nil); err != nil {
			return err
		}
		// Only a creation request would show whether it takes its headers,
		// and that would make an upload on the provider.
		return &ErrUnchecked{Msg: "The backend answers; whether it accepts its headers shows at the first upload, which asks it for an upload URL."}
	}
	return e.probe(ctx, d, http.MethodOptions, d.URL, "The server", func(res *http.Response) error {
		if res.Header.Get("Tus-Version") == "" && res.Header.Get("Tus-Resumable") == "" {
			return permanent(CodeNotTus, nil, "%s answers, but not as a tus server (no Tus-Version in its answer to OPTIONS). Check the URL.", d.URL)
		}
		return nil
	})
}

// probe sends one request with the destination's headers and judges the
// answer: refused credentials and server trouble are sentences, and check
// (if any) looks further.
func (e *Engine) probe(ctx context.Context, d Destination, method, url, who string, check func(*http.Response) error) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return permanent(CodeBadURL, err, "%q is not a valid URL.", url)
	}
	for k, v := range d.Header {
		req.Header[k] = v
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	res, err := e.client.HTTP.Do(req)
	if err != nil {
		return &Error{Kind: transfer.Permanent, Code: CodeUnreachable, Err: err,
			Msg: fmt.Sprintf("%s cannot be reached (%v). Check the URL and the network.", who, err)}
	}
	defer res.Body.Close()
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &Error{Kind: transfer.Permanent, Code: CodeAuth, Status: code,
			Msg: fmt.Sprintf("%s refused the credentials (%d). Check the token or the Authorization header.", who, code)}
	case code >= 500:
		return &Error{Kind: transfer.Transient, Code: transfer.CodeServer, Status: code,
			Msg: fmt.Sprintf("%s had a problem (%d %s). Try again later.", who, code, http.StatusText(code))}
	}
	if check != nil {
		return check(res)
	}
	return nil
}
