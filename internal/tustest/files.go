package tustest

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// RandomFile writes size pseudo-random bytes (a pure function of seed) to
// dir/name, creating parent directories, and returns the path and the hex
// SHA-256. It streams, so 1 GiB costs about a second and no memory. An empty
// dir means t.TempDir().
func RandomFile(t testing.TB, dir, name string, size int64, seed int64) (path, sha256hex string) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	path = filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("tustest: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("tustest: %v", err)
	}
	defer f.Close()

	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], uint64(seed))
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, rand.NewChaCha8(key), size); err != nil {
		t.Fatalf("tustest: write %s: %v", path, err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("tustest: write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("tustest: close %s: %v", path, err)
	}
	return path, hex.EncodeToString(h.Sum(nil))
}

// FileSHA256 returns the hex SHA-256 of the file at path.
func FileSHA256(t testing.TB, path string) string {
	t.Helper()
	sum, err := fileSHA256(path)
	if err != nil {
		t.Fatalf("tustest: %v", err)
	}
	return sum
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
