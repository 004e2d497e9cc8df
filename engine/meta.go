package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unique"

	"github.com/ferry-app/ferry/localfile"
)

// Video types every Ferry knows, whatever the system's mime.types says
// (a minimal Debian has none of these).
func init() {
	for ext, typ := range map[string]string{
		".mp4": "video/mp4", ".m4v": "video/x-m4v", ".mov": "video/quicktime",
		".mkv": "video/x-matroska", ".webm": "video/webm", ".avi": "video/x-msvideo",
		".mts": "video/mp2t", ".m2ts": "video/mp2t", ".ts": "video/mp2t",
		".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".wmv": "video/x-ms-wmv",
		".flv": "video/x-flv", ".3gp": "video/3gpp", ".mxf": "application/mxf",
	} {
		mime.AddExtensionType(ext, typ)
	}
}

// fileType is the MIME type of a file by its extension.
func fileType(path string) string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if t == "" {
		return "application/octet-stream"
	}
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

// fingerprint finds an earlier upload of the same file to the same place:
// its absolute path, size, mtime and destination (go-tus's name-size-mtime
// collides across folders and servers).
func fingerprint(absPath string, size int64, mtime time.Time, dest Destination) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%s", localfile.PathKey(absPath), size, mtime.UnixNano(), dest.Key()))
	return hex.EncodeToString(h[:16])
}

// fileKey names a file and its destination: one job each. The
// destination's key is interned: 100 000 jobs to one place share it.
type fileKey struct {
	path string
	dest unique.Handle[string]
}

func jobKey(path string, dest Destination) fileKey {
	return fileKey{localfile.PathKey(path), unique.Make(dest.Key())}
}

// Key names a destination: a saved one by its name (its settings may
// change, it stays the same place), a URL given for one run by its URL.
func (d Destination) Key() string {
	if d.Name != "" {
		return "dest:" + d.Name
	}
	return DestKey(d.URL)
}

// DestKey is a destination URL as a key: "HTTPS://Host:443/files/" and
// "https://host/files" are one destination, with or without its secrets.
func DestKey(raw string) string {
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
