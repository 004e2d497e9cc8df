//go:build linux

package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	KiB = 1 << 10
	MiB = 1 << 20
)

// srcFile is a file made to be uploaded, with the SHA-256 it must arrive with.
type srcFile struct {
	path string
	size int64
	sum  string
}

var seed uint64 = 0xfe77

// makeFile writes size random bytes (each file different) to path.
func makeFile(path string, size int64) srcFile {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fatalf("%v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		fatalf("%v", err)
	}
	seed++
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	r := rand.NewChaCha8(key)
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), MiB)
	buf := make([]byte, 64*KiB)
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		r.Read(buf[:n])
		w.Write(buf[:n])
		left -= n
	}
	if err := w.Flush(); err != nil {
		fatalf("writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		fatalf("writing %s: %v", path, err)
	}
	return srcFile{path: path, size: size, sum: hex.EncodeToString(h.Sum(nil))}
}

func sha(path string) (string, error) {
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

// received lists the files in the receive folder, names only, leaving out
// the receiver's hidden work folder.
func received(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		fatalf("reading %s: %v", dir, err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() == ".ferry-incoming" {
			continue
		}
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// uploadID is the last element of a tus upload URL: the receiver's name
// for the upload's data in its work folder.
func uploadID(url string) string {
	return url[strings.LastIndex(url, "/")+1:]
}

// uploadsCreated counts the uploads the receiver has created: one .info
// record each in its work folder, kept (with a .done marker) after the
// file is placed.
func uploadsCreated(recv string) int {
	m, err := filepath.Glob(filepath.Join(recv, ".ferry-incoming", "*.info"))
	if err != nil {
		fatalf("%v", err)
	}
	return len(m)
}
