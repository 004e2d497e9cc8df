package crash

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in a report.
const Redacted = "REDACTED"

var (
	// urlRE finds URLs in crash output (a panic's message, an error).
	urlRE = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`\\\\]+")
	// userinfoRE is a URL's user-info, for what url.Parse refuses.
	userinfoRE = regexp.MustCompile(`(://)[^/?#\s@]+@`)
	// schemeRE is an Authorization value: a scheme, then its credentials.
	schemeRE = regexp.MustCompile(`\b([Bb]earer|Basic|Digest|Negotiate|Token)(\s+)([A-Za-z0-9._~+/=-]+)`)
	// headerRE is a header whose whole value is a secret.
	headerRE = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|(?:set-)?cookie)(["']?\s*[:=]\s*)([^\r\n"]+)`)
	// pairRE is name=value, "name": "value", name: value, Name:value
	// (%+v) or Name:[value] (a header printed with %v).
	pairRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9_.-]*)("?\s*=\s*"?|"\s*:\s*"|:\[|:\s*)([^\s"'&,;)\]}<>]+)`)
	// jwtRE is a JSON web token wherever it stands.
	jwtRE = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// secretWords mark a name (a query parameter, a field) as a secret,
// anywhere in it.
var secretWords = []string{"token", "secret", "pass", "pwd", "key", "auth", "signature", "credential", "session", "jwt", "hmac", "cookie", "private"}

// secretParts mark a name as a secret when they are a whole part of it
// (between -, _ or .): too short to look for inside words.
var secretParts = []string{"sig", "sid"}

// SecretName: a value under this name is not written in a report.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	for _, p := range strings.FieldsFunc(n, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		for _, w := range secretParts {
			if p == w {
				return true
			}
		}
	}
	return false
}

// redactWith replaces the secrets in crash output: a URL's user-info and
// its secret query parameters, Authorization and Cookie values,
// credentials after Bearer (Basic…), values under secret names, JSON web
// tokens. redactURL, when not nil (the engine's), runs over each URL
// first.
func redactWith(s string, redactURL func(string) string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if !frameLine(l) && mayHold(l) {
			lines[i] = redactLine(l, redactURL)
		}
	}
	return strings.Join(lines, "")
}

// frameLine is where a stack frame's code is, "\t/path/file.go:45
// +0x1d": nothing there is a secret, and a stack has many.
func frameLine(l string) bool {
	return strings.HasPrefix(l, "\t") && strings.Contains(l, ".go:") && !strings.ContainsAny(l, "=@?\"'")
}

// mayHold: a line without these holds nothing the rules below take
// (most lines of a stack: "main.f(0xc000012345, 0x5)").
func mayHold(l string) bool {
	if strings.ContainsAny(l, ":=@") {
		return true
	}
	for _, w := range []string{"earer", "Basic", "Digest", "Negotiate", "Token", "eyJ"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func redactLine(s string, redactURL func(string) string) string {
	if redactURL != nil {
		s = urlRE.ReplaceAllStringFunc(s, redactURL)
	}
	s = userinfoRE.ReplaceAllString(s, "${1}"+Redacted+"@")
	s = headerRE.ReplaceAllString(s, "${1}${2}"+Redacted)
	s = schemeRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := schemeRE.FindStringSubmatch(m)
		if cred := sub[3]; cred == Redacted || (!strings.EqualFold(sub[1], "bearer") && !randomLooking(cred, 8)) {
			return m // "Basic authentication", not credentials
		}
		return sub[1] + sub[2] + Redacted
	})
	s = redactPairs(s)
	return jwtRE.ReplaceAllString(s, Redacted)
}

// randomLooking: at least n characters, with digits or symbols among
// letters, or mixed case past the first letter, as tokens are and words
// are not.
func randomLooking(s string, n int) bool {
	if len(s) < n {
		return false
	}
	var digit, lower, upper, other bool
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = upper || i > 0
		default:
			other = true
		}
	}
	return digit || other || (lower && upper)
}

func allDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// redactPairs replaces the values under secret names. A match that is
// no secret is looked into again from its value on: "http" and its
// colon are no pair, but the token in the URL after them is.
func redactPairs(s string) string {
	var b strings.Builder
	for {
		m := pairRE.FindStringSubmatchIndex(s)
		if m == nil {
			b.WriteString(s)
			return b.String()
		}
		name, sep, val := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		if secretPair(name, sep, val) {
			b.WriteString(s[:m[6]])
			b.WriteString(Redacted)
			s = s[m[7]:]
		} else {
			b.WriteString(s[:m[5]])
			s = s[m[5]:]
		}
	}
}

func secretPair(name, sep, val string) bool {
	if !SecretName(name) || val == Redacted {
		return false
	}
	if sep[0] == ':' && sep != ":[" {
		switch {
		case strings.HasSuffix(name, ".go") || allDigits(val):
			return false // keychain.go:45 in a stack; a port
		case sep != ":" && !randomLooking(val, 12):
			return false // "keychain: item not found" is an error, not a key
		}
	}
	return true
}
