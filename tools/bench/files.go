package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// makeRandomFile streams size random bytes to path and returns their SHA-256.
func makeRandomFile(path string, size int64) (sum [32]byte, err error) {
	f, err := os.Create(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	src := rand.NewChaCha8([32]byte{byte(size), byte(size >> 8), byte(size >> 16), byte(size >> 24)})
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, src, size); err != nil {
		return sum, err
	}
	if err := w.Flush(); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	// Flush to disk now, so writeback does not run during the first upload.
	if err := f.Sync(); err != nil {
		return sum, err
	}
	return sum, f.Close()
}

var units = []struct {
	suffix string
	mult   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}

// parseSizes reads "16MiB,1GiB,500MB,4096".
func parseSizes(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		mult, num := int64(1), f
		for _, u := range units {
			if strings.HasSuffix(f, u.suffix) {
				mult, num = u.mult, strings.TrimSpace(strings.TrimSuffix(f, u.suffix))
				break
			}
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q (want e.g. 16MiB, 1GiB)", f)
		}
		out = append(out, n*mult)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no sizes given")
	}
	return out, nil
}

// formatSize prints "1GiB", "1.5GiB", "16MiB" or "0.5MiB".
func formatSize(n int64) string {
	switch {
	case n%(1<<30) == 0 && n > 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n%(1<<20) == 0 && n > 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
}
