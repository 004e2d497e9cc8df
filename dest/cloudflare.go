package dest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/ferry-app/ferry/fault"
)

// KindCloudflare is Cloudflare Stream with an API token: the token opens
// Stream's API, which hands out the upload URL for each file.
const KindCloudflare Kind = "cloudflare"

// Stream's chunk rules: every PATCH but the last a multiple of 256 KiB,
// at least 5 MiB, at most 200 MiB.
const (
	cloudflareChunkUnit    = 256 << 10
	cloudflareChunkMin     = 5 << 20
	cloudflareChunkMax     = 200 << 20
	cloudflareChunkDefault = 50 << 20
)

func init() {
	register(&Provider{
		Kind:  KindCloudflare,
		Rank:  30,
		Label: "Cloudflare Stream (API token)",
		Short: "Cloudflare Stream",
		About: "Videos go straight to your Cloudflare Stream account.",
		Who:   "Cloudflare",
		Fields: []Field{
			{Slot: SlotAccount, Label: "Account id", Help: "32 letters a–f and digits, in your dashboard's address after dash.cloudflare.com/.",
				Placeholder: "e.g. 023e105f4ecef8ad9ca31a8372d0c353",
				Missing:     "A Cloudflare destination needs its account id: 32 letters a–f and digits, in your dashboard's address after dash.cloudflare.com/.",
				Check:       func(d Destination) error { return CheckAccountID(d.Account) }},
			{Slot: SlotToken, Label: "API token", Help: "Needs Stream: Edit. Kept in the keychain, never shown again.",
				Placeholder: "Paste the API token", Missing: "Paste the Cloudflare API token: Ferry needs it to upload there."},
			{Slot: SlotMeta, Label: "Metadata", Help: "One per line, key=value, e.g. requiresignedurls=true.", Placeholder: metaField.Placeholder},
			{Slot: SlotChunk, Label: "Chunk size", Help: "5 MiB to 200 MiB in steps of 256 KiB (Cloudflare's rule). Empty: 50 MiB.",
				Placeholder: "50 MiB", Check: func(d Destination) error { return CheckCloudflareChunk(d.ChunkSize) }},
		},
		Where:    func(d Destination) string { return "Cloudflare Stream, account " + d.Account },
		Endpoint: func(d Destination) string { return cloudflareAPI() + "/accounts/" + d.Account + "/stream" },
		Chunk:    cloudflareChunkDefault,
		FileMeta: func(name string) map[string]string { return map[string]string{"name": name} }, // the title Stream shows
		TokenAPI: true,
		Refused: func(d Destination, status int) string {
			if status == http.StatusForbidden {
				return fmt.Sprintf("Cloudflare refused the API token (403). Check the API token%s: it needs the Stream Edit permission on account %s.", savedFor(d), d.Account)
			}
			return fmt.Sprintf("Cloudflare refused the API token (%d). Check the API token%s.", status, savedFor(d))
		},
		InWords: func(d Destination, te *fault.Error) error {
			if te.Code == fault.CodeNotTus && te.Status == http.StatusNotFound {
				return unknownAccount(d, te.Status, te.Err)
			}
			return te
		},
		Test: testCloudflare,
	})
}

// cloudflareAPI is the API's base, which a test or a proxy may stand in for.
func cloudflareAPI() string {
	return strings.TrimSuffix(cmp.Or(os.Getenv("FERRY_CLOUDFLARE_API"), "https://api.cloudflare.com/client/v4"), "/")
}

// CheckAccountID says in a sentence what is wrong with a Cloudflare
// account id: 32 hexadecimal characters, as the dashboard's address has it.
func CheckAccountID(id string) error {
	if len(id) != 32 || strings.Trim(strings.ToLower(id), "0123456789abcdef") != "" {
		return fault.Wrap(fault.CodeBadURL, nil, "%q is not a Cloudflare account id: it is 32 letters a–f and digits, in your dashboard's address after dash.cloudflare.com/.", id)
	}
	return nil
}

// CheckCloudflareChunk says in a sentence what is wrong with a chunk size
// for Cloudflare Stream (0: the default).
func CheckCloudflareChunk(c int64) error {
	if c != 0 && (c%cloudflareChunkUnit != 0 || c < cloudflareChunkMin || c > cloudflareChunkMax) {
		return fault.Wrap(fault.CodeBadURL, nil, "Cloudflare Stream takes chunks of 5 MiB to 200 MiB in steps of 256 KiB; %d bytes is not one.", c)
	}
	return nil
}

// unknownAccount is Cloudflare's answer for an account id it does not know.
func unknownAccount(d Destination, status int, cause error) *fault.Error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeBadURL, Status: status, Err: cause,
		Msg: fmt.Sprintf("Cloudflare does not know the account %s (%d). Check the account id%s.", d.Account, status, savedFor(d))}
}

// testCloudflare checks the API token (Cloudflare's token verification)
// and the account (Stream's list of its videos, which needs both). The
// list decides: an account-owned token is unknown to the user's token
// verification but lists the videos; the verification only tells a token
// refused from an account that is not the token's.
func testCloudflare(p *Probe, d Destination) error {
	v, err := p.ask(d, "Cloudflare", http.MethodGet, cloudflareAPI()+"/user/tokens/verify")
	tokenRefused := false
	switch {
	case fault.CodeOf(err) == fault.CodeAuth:
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
			return fault.Wrap(fault.CodeAuth, nil, "Cloudflare says the API token%s is %s. Make a new one (with the Stream Edit permission) and save it.", savedFor(d), ans.Result.Status)
		}
	}
	list, err := p.ask(d, "Cloudflare", http.MethodGet, d.Endpoint()+"?limit=1")
	switch {
	case fault.CodeOf(err) == fault.CodeAuth && tokenRefused:
		return err
	case fault.CodeOf(err) == fault.CodeAuth:
		status := err.(*fault.Error).Status
		return &fault.Error{Kind: fault.Permanent, Code: fault.CodeAuth, Status: status,
			Msg: fmt.Sprintf("Cloudflare takes the API token but refused it for account %s (%d). Check the account id%s, and that the token has the Stream Edit permission on that account.", d.Account, status, savedFor(d))}
	case err != nil:
		return err
	case list.status == http.StatusOK:
		return nil
	case list.status == http.StatusNotFound || cloudflareCode(list.body, 7003, 7000):
		return unknownAccount(d, list.status, nil)
	}
	return list.unexpected("Cloudflare", "the list of the account's videos", "Try again later.")
}

// cloudflareCode: Cloudflare's JSON errors carry one of the codes.
func cloudflareCode(body []byte, codes ...int) bool {
	var ans struct {
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &ans) != nil {
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
