package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// smallSize is the size of each file in the many-files rows.
const smallSize = 1 << 10

// sumSet is the SHA-256 of every file a run must deliver; files differ,
// so a set both checks content and catches duplicates.
type sumSet map[[32]byte]bool

// makeSmallDir writes n distinct random files of smallSize into a new dir.
// No fsync: 10 MB of writeback does not disturb the run that follows.
func makeSmallDir(dir string, n int) (sumSet, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sums := make(sumSet, n)
	buf := make([]byte, smallSize)
	for i := range n {
		src := rand.NewChaCha8([32]byte{'s', byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)})
		if _, err := io.ReadFull(src, buf); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, "f"+strconv.Itoa(i)+".bin")
		if err := os.WriteFile(name, buf, 0o644); err != nil {
			return nil, err
		}
		sums[sha256.Sum256(buf)] = true
	}
	return sums, nil
}

// checkFiles checks that paths hold exactly the files of want, once each.
func checkFiles(paths []string, want sumSet) error {
	if len(paths) != len(want) {
		return fmt.Errorf("server holds %d uploads, want %d", len(paths), len(want))
	}
	seen := make(sumSet, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := sha256.Sum256(b)
		if !want[s] {
			return fmt.Errorf("%s: %d bytes matching no source file (SHA-256 %x)", filepath.Base(p), len(b), s)
		}
		if seen[s] {
			return fmt.Errorf("%s: a file uploaded twice (SHA-256 %x)", filepath.Base(p), s)
		}
		seen[s] = true
	}
	return nil
}
