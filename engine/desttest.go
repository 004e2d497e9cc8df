package engine

import "github.com/ferry-app/ferry/dest"

// ErrUnchecked says what a test could not check without uploading. It
// comes inside an *Error with CodeUnchecked; errors.As finds it.
type ErrUnchecked = dest.ErrUnchecked

// TestDestination checks a saved destination without uploading, with
// requests that need its credentials, as its provider knows how: a tus
// server is asked (HEAD) about an upload that cannot exist, which it
// answers 404 only to credentials it takes; Cloudflare checks the API
// token and lists the account's videos; Vimeo says who the access token
// belongs to; the receive folder of the builtin receiver is written to.
// The error is one sentence; an *ErrUnchecked says what is left to the
// first upload. The window and `ferry dest test` both ask this.
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
	return dest.Test(e.client.HTTP, d)
}
