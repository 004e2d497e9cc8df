package dest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/ferry-app/ferry/engine/transfer"
	"github.com/ferry-app/ferry/fault"
)

// KindVimeo is Vimeo with a personal access token: the token opens
// Vimeo's API, which creates each video and hands out its upload link.
const KindVimeo Kind = "vimeo"

func init() {
	register(&Provider{
		Kind:  KindVimeo,
		Rank:  40,
		Label: "Vimeo",
		Short: "Vimeo",
		About: "Videos go to your Vimeo account; the result is each video's link.",
		Who:   "Vimeo",
		Fields: []Field{
			{Slot: SlotToken, Label: "Access token", Help: "A personal access token with the upload scope. Kept in the keychain.",
				Placeholder: "Paste the access token", Missing: "Paste the Vimeo access token: Ferry needs it to upload there."},
		},
		Where:    func(Destination) string { return "Vimeo" },
		Endpoint: func(Destination) string { return vimeoAPI() + "/me/videos" },
		TokenAPI: true,
		Create:   createVimeo,
		Refused: func(d Destination, status int) string {
			if status == http.StatusForbidden {
				return fmt.Sprintf("Vimeo refused the access token (403). Check the access token%s: it needs the upload scope.", savedFor(d))
			}
			return fmt.Sprintf("Vimeo refused the access token (%d). Check the access token%s.", status, savedFor(d))
		},
		Test: func(p *Probe, d Destination) error {
			a, err := p.ask(d, "Vimeo", http.MethodGet, vimeoAPI()+"/me")
			if err != nil || a.status == http.StatusOK {
				return err
			}
			return a.unexpected("Vimeo", "a check of the access token (GET /me)", "Try again later.")
		},
	})
}

// vimeoAPI is the API's base, which a test or a proxy may stand in for.
func vimeoAPI() string {
	return strings.TrimSuffix(cmp.Or(os.Getenv("FERRY_VIMEO_API"), "https://api.vimeo.com"), "/")
}

// createVimeo creates a video with the tus approach (POST /me/videos) and
// returns its upload link, where the bytes go (another origin, which gets
// no token), and the video's page.
func createVimeo(ctx context.Context, hc *http.Client, d Destination, t transfer.Target, size int64, name string) (transfer.Created, error) {
	body, _ := json.Marshal(map[string]any{
		"upload": map[string]string{"approach": "tus", "size": strconv.FormatInt(size, 10)},
		"name":   name,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Endpoint, bytes.NewReader(body))
	if err != nil {
		return transfer.Created{}, fault.Wrap(fault.CodeBadURL, err, "%q is not a valid URL.", t.Endpoint)
	}
	for k, v := range t.CreateHeader {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.vimeo.*+json;version=3.4")
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return transfer.Created{}, context.Cause(ctx)
		}
		return transfer.Created{}, &fault.Error{Kind: fault.Transient, Code: fault.CodeNetwork, Err: err,
			Msg: fmt.Sprintf("Cannot reach Vimeo (%s)", fault.Cause(err))}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return transfer.Created{}, Refused(d, code, nil)
	case code == http.StatusTooManyRequests || code >= 500:
		return transfer.Created{}, &fault.Error{Kind: fault.Transient, Code: fault.CodeServer, Status: code,
			Msg: fmt.Sprintf("Vimeo had a problem (%d %s)", code, http.StatusText(code))}
	case code/100 != 2:
		return transfer.Created{}, &fault.Error{Kind: fault.Permanent, Code: fault.CodeBadRequest, Status: code,
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
		return transfer.Created{}, &fault.Error{Kind: fault.Permanent, Code: fault.CodeNotTus,
			Msg: "Vimeo's answer has no tus upload link; check FERRY_VIMEO_API."}
	}
	return transfer.Created{URL: v.Upload.UploadLink, Link: v.Link}, nil
}
