package dest

import (
	"net/url"
	"strings"
)

// Key names a destination: a saved one by its name (its settings may
// change, it stays the same place), a URL given for one run by its URL.
func (d Destination) Key() string {
	if d.Name != "" {
		return "dest:" + d.Name
	}
	return URLKey(d.URL)
}

// URLKey is a destination URL as a key: "HTTPS://Host:443/files/" and
// "https://host/files" are one destination, with or without its secrets.
func URLKey(raw string) string {
	u, err := url.Parse(StripSecrets(raw))
	if err != nil {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		u.Host = u.Hostname()
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath, u.Fragment = "", ""
	return u.String()
}
