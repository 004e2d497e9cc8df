package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
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
func fingerprint(absPath string, size int64, mtime time.Time, to Destination) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%s", localfile.PathKey(absPath), size, mtime.UnixNano(), to.Key()))
	return hex.EncodeToString(h[:16])
}

// fileKey names a file and its destination: one job each. The
// destination's key is interned: 100 000 jobs to one place share it.
type fileKey struct {
	path string
	dest unique.Handle[string]
}

func jobKey(path string, to Destination) fileKey {
	return fileKey{localfile.PathKey(path), unique.Make(to.Key())}
}
