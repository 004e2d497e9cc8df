package transfer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
)

type dnsError = net.DNSError

func asDNS(err error, target **dnsError) bool { return errors.As(err, target) }

// isRecordHeader: the server answered a TLS hello with something else,
// typically plain HTTP on an https:// URL (net/http then says so with
// ErrSchemeMismatch).
func isRecordHeader(err error) bool {
	var r tls.RecordHeaderError
	return errors.As(err, &r) || errors.Is(err, http.ErrSchemeMismatch)
}

// isCertError: the server's certificate failed verification.
func isCertError(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		cerr x509.CertificateInvalidError
		herr x509.HostnameError
		aerr x509.UnknownAuthorityError
	)
	return errors.As(err, &verr) || errors.As(err, &cerr) || errors.As(err, &herr) || errors.As(err, &aerr)
}

func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }

// badHeaderErr recognises net/http refusing a header it cannot send.
func badHeaderErr(err error) bool {
	var h *headerError
	return errors.As(err, &h) || strings.Contains(err.Error(), "invalid header field")
}
