package dest

import (
	"net/url"
	"strings"
	"unicode"
)

// Secrets (tokens in headers, user:pass@ in a URL, signing parameters in
// its query) live only in memory: records on disk, snapshots, events and
// output never carry them. A job resumed by a later process gets them
// again from whoever gives the destination (a flag, the keychain).

const Redacted = "REDACTED"

// Words that mark a header or query parameter name as a secret. Long
// words count anywhere in the name ("access_token", "X-Api-Key"); short
// ones only as a word of it ("x-jwt", "hmac_sig", "SID"), so that "side",
// "inside" or "signal" stay plain; a few may begin a longer word
// ("passcode", "jwtToken").
var (
	secretWords      = []string{"token", "secret", "key", "auth", "password", "passwd", "signature", "credential", "session", "sessid", "cookie"}
	secretShortWords = []string{"sid", "sig", "pwd"}
	secretPrefixes   = []string{"pass", "jwt", "hmac"}
)

// SecretHeader: a header whose value is never written to disk.
func SecretHeader(name string) bool { return secretNamed(name) }

// secretParam: a query parameter that signs or authorises a URL.
func secretParam(name string) bool { return secretNamed(name) }

func secretNamed(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	for _, p := range nameWords(name) {
		for _, w := range secretShortWords {
			if p == w {
				return true
			}
		}
		for _, w := range secretPrefixes {
			if strings.HasPrefix(p, w) {
				return true
			}
		}
	}
	return false
}

// nameWords splits a name into lower-case words: at '-', '_', '.', ' '
// and where the case says a word begins ("xJwt", "HMACSig", "jwt2").
func nameWords(name string) []string {
	var words []string
	rs := []rune(name)
	start := 0
	cut := func(i int) {
		if i > start {
			words = append(words, strings.ToLower(string(rs[start:i])))
		}
		start = i
	}
	for i, r := range rs {
		switch {
		case r == '-' || r == '_' || r == '.' || r == ' ':
			cut(i)
			start = i + 1
		case i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			cut(i) // "xJwt"
		case i > 0 && i+1 < len(rs) && unicode.IsUpper(r) && unicode.IsUpper(rs[i-1]) && unicode.IsLower(rs[i+1]):
			cut(i) // "HMACSig"
		case i > 0 && unicode.IsDigit(r) != unicode.IsDigit(rs[i-1]) && isAlnum(r) && isAlnum(rs[i-1]):
			cut(i) // "jwt2", "sha256sig"
		}
	}
	cut(len(rs))
	return words
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// StripSecrets is a URL without its user-info and signing parameters: the
// form kept on disk.
func StripSecrets(raw string) string { return editSecrets(raw, false) }

// RedactURL is a URL with its secrets replaced by REDACTED: the form shown.
func RedactURL(raw string) string { return editSecrets(raw, true) }

// editSecrets edits raw byte by byte rather than parsing and printing it
// again: a pre-signed URL's signature covers its query as written (order,
// escapes), so everything but the secrets stays as given.
func editSecrets(raw string, mark bool) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.Grow(len(raw))
	changed := false

	// user-info: between "scheme://" and the last '@' before the path.
	if i := strings.Index(rest, "://"); i > 0 && !strings.ContainsAny(rest[:i], "/@") {
		auth := rest[i+3:]
		if j := strings.IndexByte(auth, '/'); j >= 0 {
			auth = auth[:j]
		}
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			changed = true
			b.WriteString(rest[:i+3])
			if mark {
				b.WriteString(Redacted + "@")
			}
			rest = rest[i+3+at+1:]
		}
	}
	rest, edited := editPathParams(rest, mark)
	changed = changed || edited
	b.WriteString(rest)

	if hasQuery {
		q, edited := editQuery(query, mark)
		changed = changed || edited
		if q != "" || !edited {
			b.WriteByte('?')
			b.WriteString(q)
		}
	}
	if hasFrag {
		// A fragment never goes to a server, yet some links carry a token
		// there (#access_token=...): it is a secret all the same.
		f, edited := editQuery(frag, mark)
		changed = changed || edited
		frag = f
	}
	if !changed {
		return raw
	}
	if hasFrag && frag != "" {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// editPathParams drops (or marks) secret path parameters (a segment's
// ";jsessionid=..."), keeping the rest of the path as written. u is a URL
// without its query and fragment.
func editPathParams(u string, mark bool) (string, bool) {
	start := 0
	if i := strings.Index(u, "://"); i > 0 {
		j := strings.IndexByte(u[i+3:], '/')
		if j < 0 {
			return u, false
		}
		start = i + 3 + j
	}
	if !strings.Contains(u[start:], ";") {
		return u, false
	}
	segs := strings.Split(u[start:], "/")
	changed := false
	for k, seg := range segs {
		name, params, ok := strings.Cut(seg, ";")
		if !ok {
			continue
		}
		q, edited := editQuery(params, mark)
		if !edited {
			continue
		}
		changed = true
		segs[k] = name
		if q != "" {
			segs[k] += ";" + q
		}
	}
	if !changed {
		return u, false
	}
	return u[:start] + strings.Join(segs, "/"), true
}

// editQuery drops (or marks) the secret pieces of a raw query and keeps
// every other piece, and its separator, as it was. Pieces are split at
// '&' and at ';', which some servers also take as a separator.
func editQuery(q string, mark bool) (string, bool) {
	var b strings.Builder
	changed, kept := false, false
	sep := ""
	for {
		i := strings.IndexAny(q, "&;")
		piece := q
		if i >= 0 {
			piece = q[:i]
		}
		rawName, _, _ := strings.Cut(piece, "=")
		name := rawName
		if n, err := url.QueryUnescape(rawName); err == nil {
			name = n
		}
		secret := piece != "" && secretParam(name)
		if secret {
			changed = true
			piece = rawName + "=" + Redacted
		}
		if !secret || mark {
			if kept {
				b.WriteString(sep)
			}
			b.WriteString(piece)
			kept = true
		}
		if i < 0 {
			break
		}
		sep, q = q[i:i+1], q[i+1:]
	}
	return b.String(), changed
}

// HasSecrets: the URL carries something StripSecrets would drop.
func HasSecrets(raw string) bool { return StripSecrets(raw) != raw }
