// Command bench measures ferry against a raw streaming tus PATCH on a local
// tusd: throughput, CPU and peak RSS per file size. It reports figures and
// fails only when something is broken (bad hash, crashed upload).
//
//	go run ./tools/bench -sizes 16MiB,128MiB,1GiB,2GiB
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	// Hidden child mode: the raw baseline runs in its own process so that
	// CPU and RSS are measured exactly as for ferry.
	if len(os.Args) == 4 && os.Args[1] == "raw-patch" {
		if err := rawPatch(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "raw-patch:", err)
			os.Exit(1)
		}
		return
	}

	sizesFlag := flag.String("sizes", "16MiB,128MiB,1GiB,2GiB", "comma-separated file sizes")
	ferryBin := flag.String("ferry", "", "path to a built ferry binary (default: build one)")
	dir := flag.String("dir", os.TempDir(), "where temp files go (test files and the tusd store)")
	runs := flag.Int("runs", 1, "runs per size; the fastest of each kind is kept")
	jsonOut := flag.Bool("json", false, "print results as JSON lines instead of a table")
	flag.Parse()

	if err := run(*sizesFlag, *ferryBin, *dir, *runs, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizesFlag, ferryBin, dir string, runs int, jsonOut bool) error {
	sizes, err := parseSizes(sizesFlag)
	if err != nil {
		return err
	}
	if runs < 1 {
		runs = 1
	}
	work, err := os.MkdirTemp(dir, "ferry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if ferryBin == "" {
		if ferryBin, err = buildFerry(work); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

	srv, err := startTusd(filepath.Join(work, "store"))
	if err != nil {
		return err
	}
	defer srv.Close()

	env := environment()
	if !jsonOut {
		printEnv(env)
	} else {
		printJSON(env)
	}

	var results []result
	for _, size := range sizes {
		r, err := benchSize(srv, self, ferryBin, work, size, runs)
		if err != nil {
			return err
		}
		if r.Skipped != "" {
			r.Type, r.Verdict = "result", r.verdict()
		}
		if jsonOut {
			printJSON(r)
		}
		results = append(results, r)
	}
	if !jsonOut {
		printTable(results)
	}
	return nil
}

// benchSize makes one test file and uploads it runs times each way,
// alternating raw and ferry.
func benchSize(srv *tusd, self, ferryBin, work string, size int64, runs int) (result, error) {
	r := result{Size: size, Label: formatSize(size)}
	// Test file + the server's copy, plus some slack for ferry's database.
	if free := freeBytes(work); free < 2*size+64<<20 {
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

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+strings.TrimSuffix(format, "\n")+"\n", args...)
}
