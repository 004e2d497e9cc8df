package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// benchSize makes one test file and uploads it runs times each way,
// alternating raw and ferry.
func benchSize(srv *tusd, self, ferryBin, work string, size int64, runs int) (result, error) {
	r := result{Size: size, Label: formatSize(size)}
	// Test file + the server's copy, plus some slack for ferry's database.
	if free, ok := freeBytes(work); ok && free < 2*size+64<<20 {
		r.Skipped = fmt.Sprintf("not enough free space in %s (%s free, need %s)",
			work, formatSize(free), formatSize(2*size+64<<20))
		logf("%s: skipped: %s", r.Label, r.Skipped)
		return r, nil
	}

	file := filepath.Join(work, "test-"+r.Label+".bin")
	logf("%s: writing test file", r.Label)
	sum, err := makeRandomFile(file, size)
	if err != nil {
		return r, err
	}
	defer os.Remove(file)

	for i := 0; i < runs; i++ {
		for _, kind := range []string{"raw", "ferry"} {
			var cmd []string
			if kind == "raw" {
				cmd = []string{self, "raw-patch", srv.URL, file}
			} else {
				dataDir, err := os.MkdirTemp(work, "ferry-data-")
				if err != nil {
					return r, err
				}
				defer os.RemoveAll(dataDir)
				cmd = []string{ferryBin, "upload", "--data-dir", dataDir, "--to", srv.URL, file}
			}
			logf("%s: run %d/%d %s", r.Label, i+1, runs, kind)
			m, err := measure(cmd)
			if err != nil {
				return r, fmt.Errorf("%s %s upload: %w", r.Label, kind, err)
			}
			if err := srv.verify(size, sum); err != nil {
				return r, fmt.Errorf("%s %s upload: %w", r.Label, kind, err)
			}
			if err := srv.clear(); err != nil {
				return r, err
			}
			m.MiBps = float64(size) / (1 << 20) / m.Wall.Seconds()
			r.keepBest(kind, m)
		}
	}
	return r, nil
}
