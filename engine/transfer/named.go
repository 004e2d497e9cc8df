package transfer

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// IDHeader carries a client-chosen upload id. Ferry's own receiver
// announces it in its answer to OPTIONS and creates the upload under that
// id, refusing (409) an id it has or had: a creation can then be repeated
// without ever making a second upload.
const IDHeader = "Ferry-Upload-Id"

// NamesUploads says whether the endpoint takes client-named uploads,
// asking it once per endpoint and process (OPTIONS; the uploads that ask
// meanwhile wait for that answer). An endpoint that cannot be asked now
// is asked again next time.
func (c *Client) NamesUploads(ctx context.Context, t Target) bool {
	v, _ := c.named.LoadOrStore(t.Endpoint, &probe{})
	pr := v.(*probe)
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.known {
		return pr.named
	}
	res, err := c.stream(ctx, t, request{method: http.MethodOptions, target: t.Endpoint}, nopProgress{})
	if err != nil {
		return false
	}
	defer res.release()
	pr.known = true
	pr.named = res.StatusCode/100 == 2 && res.Header.Get(IDHeader) == "1"
	return pr.named
}

// probe is what an endpoint said to OPTIONS.
type probe struct {
	mu           sync.Mutex
	known, named bool
}

// NamedURL is where the endpoint keeps the upload named id.
func NamedURL(endpoint, id string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", badURL(endpoint, err)
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.JoinPath(id).String(), nil
}

// CreateNamed is CreateWithData to an endpoint that NamesUploads, under
// the caller's id: the upload's URL (NamedURL) is known, and recorded by
// the caller, before the request goes, so a lost answer or a crash is put
// right by a HEAD of that URL, never by a second upload. An id the server
// already has is a Conflict.
func (c *Client) CreateNamed(ctx context.Context, t Target, size int64, path, id string, p Progress, guard func() error) (Created, int64, error) {
	return c.createWithData(ctx, t, size, path, p, guard, http.Header{IDHeader: {id}})
}
