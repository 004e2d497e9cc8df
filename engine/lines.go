package engine

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// ParseHeader reads one destination header as people type it, "Name:
// value", the same for the command line and the window. The name must be
// one HTTP can carry, and the value not empty.
func ParseHeader(line string) (name, value string, err error) {
	k, v, ok := strings.Cut(line, ":")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ok || !httpguts.ValidHeaderFieldName(k) {
		return "", "", fmt.Errorf("%q is not a header; write it as Name: value (a name has no spaces)", strings.TrimSpace(line))
	}
	if v == "" {
		return "", "", fmt.Errorf("the header %s has no value", k)
	}
	return http.CanonicalHeaderKey(k), v, nil
}

// ParseMeta reads one Upload-Metadata item, "key=value", or a bare "key"
// (a flag such as Cloudflare's requiresignedurls), the same for the
// command line and the window. tus keys have no spaces or commas.
func ParseMeta(item string) (key, value string, err error) {
	k, v, _ := strings.Cut(item, "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if k == "" || strings.ContainsAny(k, " \t,") {
		return "", "", fmt.Errorf("%q is not metadata; write it as key=value (a key has no spaces or commas)", strings.TrimSpace(item))
	}
	return k, v, nil
}
