package dest

import (
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/ferry-app/ferry/fault"
)

// Sizes beyond which a setting is refused: servers and proxies refuse
// longer request lines and headers (commonly at 8 KiB), and a keychain is
// no place for megabytes.
const (
	MaxURL         = 8 << 10  // a destination's URL
	MaxHeaderValue = 8 << 10  // one header's value
	MaxHeaders     = 32 << 10 // all headers and metadata together
	MaxToken       = 16 << 10 // an API token
)

// Check says in a sentence what is wrong with a destination's settings:
// the first field of its provider that is missing or wrong, in the
// form's order, then what the provider checks of the whole, then what
// every destination is checked for.
func (d Destination) Check() error {
	if !d.Known() {
		_, err := ParseKind(string(d.Kind))
		return err
	}
	if err := d.checkSizes(); err != nil {
		return err
	}
	p := d.Provider()
	for _, f := range p.Fields {
		if err := d.CheckField(f); err != nil {
			return err
		}
	}
	if p.Check != nil {
		if err := p.Check(d); err != nil {
			return err
		}
	}
	return CheckDestination(Destination{URL: d.Endpoint(), Header: d.Header, Meta: d.Meta})
}

// CheckField says what is wrong with one field's value in d. Secrets are
// not in d: whether one is given is for whoever reads them to say.
func (d Destination) CheckField(f Field) error {
	if f.Missing != "" && !f.Secret() && d.empty(f.Slot) {
		return fault.Wrap(fault.CodeBadURL, nil, "%s", f.Missing)
	}
	if f.Check != nil {
		return f.Check(d)
	}
	return nil
}

// empty: the destination has nothing in a slot.
func (d Destination) empty(s Slot) bool {
	switch s {
	case SlotURL:
		return d.URL == ""
	case SlotAccount:
		return d.Account == ""
	case SlotFolder:
		return d.Dir == ""
	case SlotHeaders:
		return len(d.Header) == 0
	case SlotMeta:
		return len(d.Meta) == 0
	case SlotChunk:
		return d.ChunkSize == 0
	}
	return true
}

// checkSizes bounds the URL and the headers, before anything quotes them.
func (d Destination) checkSizes() error {
	if len(d.URL) > MaxURL {
		return fault.Wrap(fault.CodeBadURL, nil, "The URL is %d bytes long; Ferry takes URLs of at most 8 KiB, as servers refuse longer ones. Check that it is the upload URL alone.", len(d.URL))
	}
	total := 0
	for k, vs := range d.Header {
		for _, v := range vs {
			if len(v) > MaxHeaderValue {
				return fault.Wrap(fault.CodeBadURL, nil, "The value of header %.64s is %d bytes long; Ferry takes at most 8 KiB, as servers refuse longer ones.", k, len(v))
			}
			total += len(k) + len(v) + 4
		}
	}
	for k, v := range d.Meta {
		total += len(k) + 1 + (len(v)+2)/3*4 // Upload-Metadata carries values in base64
	}
	if total > MaxHeaders {
		return fault.Wrap(fault.CodeBadURL, nil, "The headers and metadata add up to %d bytes; Ferry takes at most 32 KiB, as servers refuse larger requests. Leave out what the server does not need.", total)
	}
	return nil
}

// CheckToken says in a sentence what is wrong with an API token.
func CheckToken(token string) error {
	if len(token) > MaxToken {
		return fault.Wrap(fault.CodeBadURL, nil, "The token is longer than 16 KiB; no API token is that long. Check that it is the token alone.")
	}
	return nil
}

// CheckURL says in a sentence why a destination URL cannot be used.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Wrap(fault.CodeBadURL, err, "%q is not an upload URL: it should look like https://host/files/.", raw)
	}
	return nil
}

// checkURL is a URL field's check.
func checkURL(d Destination) error { return CheckURL(d.URL) }

// CheckDestination says in a sentence why a destination cannot be used:
// its URL, or a header that cannot be sent (a name with spaces, a value
// with a line break).
func CheckDestination(d Destination) error {
	if err := CheckURL(d.URL); err != nil {
		return err
	}
	for k, vs := range d.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fault.Wrap(fault.CodeBadURL, nil, "%q is not a valid header name.", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fault.Wrap(fault.CodeBadURL, nil, "The value of header %s has a line break or a control character; it cannot be sent.", k)
			}
		}
	}
	for k := range d.Meta {
		if k == "" || strings.ContainsAny(k, " ,") {
			return fault.Wrap(fault.CodeBadURL, nil, "%q is not a metadata key (no spaces or commas).", k)
		}
	}
	return nil
}
