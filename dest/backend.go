package dest

import (
	"fmt"
	"net/http"
)

// KindBackend is a backend that holds the provider's token and hands out
// one-time tus upload URLs (the flow of Cloudflare's direct creator
// uploads): Ferry sends it a tus creation request and follows the
// Location it answers with.
const KindBackend Kind = "backend"

func init() {
	register(&Provider{
		Kind:  KindBackend,
		Rank:  20,
		Label: "Your backend (one-time upload URLs)",
		Short: "your backend",
		About: "Your backend holds the provider's token and hands out one-time tus URLs.",
		Who:   "the backend",
		Fields: []Field{
			{Slot: SlotURL, Label: "URL", Help: "Ferry asks it for each file; it answers with a one-time tus URL.",
				Placeholder: "https://example.com/api/upload-url",
				Missing:     "Give your backend's URL, the one Ferry asks for an upload URL, e.g. https://example.com/api/upload-url.", Check: checkURL},
			authField,
			headersField,
			metaField,
		},
		Where: func(d Destination) string { return "your backend at " + d.URL },
		Refused: func(d Destination, status int) string {
			return fmt.Sprintf("The backend refused the credentials (%d). Check the headers%s (the key or Authorization header it expects).", status, savedFor(d))
		},
		Test: func(p *Probe, d Destination) error {
			a, err := p.ask(d, "The backend", http.MethodOptions, d.URL)
			if err != nil {
				return err
			}
			// Only a creation request would show whether it takes its
			// headers, and that would start an upload at the provider.
			return unchecked(fmt.Sprintf("The backend answers (%s to OPTIONS); whether it accepts its headers shows at the first upload, which asks it for an upload URL. A test cannot ask without starting an upload.", statusText(a.status)))
		},
	})
}
