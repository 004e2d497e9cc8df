package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ferry-app/ferry/engine/transfer"
)

// createVimeo creates a video with the tus approach (POST /me/videos) and
// returns its upload link, where the bytes go (another origin, which gets
// no token), and the video's page.
func (e *Engine) createVimeo(ctx context.Context, d Destination, t transfer.Target, size int64, name string) (transfer.Created, error) {
	body, _ := json.Marshal(map[string]any{
		"upload": map[string]string{"approach": "tus", "size": strconv.FormatInt(size, 10)},
		"name":   name,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Endpoint, bytes.NewReader(body))
	if err != nil {
		return transfer.Created{}, permanent(CodeBadURL, err, "%q is not a valid URL.", t.Endpoint)
	}
	for k, v := range t.CreateHeader {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.vimeo.*+json;version=3.4")
	res, err := e.client.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return transfer.Created{}, context.Cause(ctx)
		}
		return transfer.Created{}, &Error{Kind: transfer.Transient, Code: transfer.CodeNetwork, Err: err,
			Msg: fmt.Sprintf("Cannot reach Vimeo (%v)", err)}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return transfer.Created{}, refused(d, code, nil)
	case code == http.StatusTooManyRequests || code >= 500:
		return transfer.Created{}, &Error{Kind: transfer.Transient, Code: transfer.CodeServer, Status: code,
			Msg: fmt.Sprintf("Vimeo had a problem (%d %s)", code, http.StatusText(code))}
	case code/100 != 2:
		return transfer.Created{}, &Error{Kind: transfer.Permanent, Code: transfer.CodeBadRequest, Status: code,
			Msg: fmt.Sprintf("Vimeo refused to create the video (%d %s).", code, http.StatusText(code))}
	}
	var v struct {
		Link   string `json:"link"`
		Upload struct {
			Approach   string `json:"approach"`
			UploadLink string `json:"upload_link"`
		} `json:"upload"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Upload.UploadLink == "" {
		return transfer.Created{}, &Error{Kind: transfer.Permanent, Code: CodeNotTus,
			Msg: "Vimeo's answer has no tus upload link; check FERRY_VIMEO_API."}
	}
	return transfer.Created{URL: v.Upload.UploadLink, Link: v.Link}, nil
}
