package engine

import (
	"net/url"
	"strings"
)

// Secrets (tokens in headers, user:pass@ in a URL, signing parameters in
// its query) live only in memory: records on disk, snapshots, events and
// output never carry them. A job resumed by a later process gets them
// again from whoever gives the destination (a flag, the keychain).

const redacted = "REDACTED"

// secretWords mark a header or query parameter name as a secret.
var secretWords = []string{"token", "secret", "key", "auth", "password", "passwd", "signature", "credential", "session"}

// secretHeader: never written to disk.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "cookie" || n == "proxy-authorization" {
		return true
	}
	return containsAny(n, secretWords)
}

// secretParam: a query parameter that signs or authorises a URL.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	return n == "sig" || n == "x-amz-signature" || n == "x-goog-signature" || containsAny(n, secretWords)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// StripSecrets is a URL without its user-info and signing parameters: the
// form kept on disk.
func StripSecrets(raw string) string { return editSecrets(raw, false) }

// RedactURL is a URL with its secrets replaced by REDACTED: the form shown.
func RedactURL(raw string) string { return editSecrets(raw, true) }

func editSecrets(raw string, mark bool) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return raw
	}
	changed := false
	if u.User != nil {
		changed = true
		if mark {
			u.User = url.User(redacted)
		} else {
			u.User = nil
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if secretParam(k) {
				changed = true
				if mark {
					q[k] = []string{redacted}
				} else {
					delete(q, k)
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

// hasSecrets: the URL carries something StripSecrets would drop.
func hasSecrets(raw string) bool { return StripSecrets(raw) != raw }
