// Command bench measures ferry on a local tusd: throughput, CPU and peak
// RSS per file size against a raw streaming tus PATCH; many small files
// through `ferry upload DIR` against a sequential go-tus loop; go-tus into
// `ferry serve` against a bare tusd; files/s and peak RSS of one `ferry
// upload DIR` of 100 000 small files (the memory a queue costs a job); and
// the engine's AddMany, Cancel and Remove with 10 000 jobs. It reports
// figures and fails only when something is broken (bad hash, wrong count
// of uploads, a crashed upload).
//
//	go run ./tools/bench -sizes 16MiB,128MiB,1GiB,2GiB -small 10000 -many 100000 -engine 10000
//	go run ./tools/bench -sizes "" -serve "" -many 0 -engine 0 -runs 3   # small files only
//	go run ./tools/bench -sizes "" -serve "" -small 0 -engine 0          # 100 000 jobs only
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	// Hidden child modes: baselines run in their own process so that CPU
	// and RSS are measured exactly as for ferry.
	if len(os.Args) == 2 && os.Args[1] == "spawner" {
		child("spawner", serveSpawner())
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "raw-patch" {
		child("raw-patch", rawPatch(os.Args[2], os.Args[3]))
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "go-tus" {
		child("go-tus", goTusUpload(os.Args[2], os.Args[3]))
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "gotus-loop" {
		child("gotus-loop", gotusLoop(os.Args[2], os.Args[3]))
		return
	}

	var o options
	flag.StringVar(&o.sizes, "sizes", "16MiB,128MiB,1GiB,2GiB", "comma-separated file sizes for the throughput rows (\"\": skip them)")
	flag.IntVar(&o.small, "small", 10000, "number of 1 KiB files for the small-files rows; half as many are run too, for linearity (0: skip)")
	flag.IntVar(&o.many, "many", 100000, "number of 1 KiB files for the many-jobs row: one ferry upload DIR, its files/s and peak RSS (aim <250 MiB) (0: skip)")
	flag.IntVar(&o.engine, "engine", 10000, "jobs for the engine rows: AddMany, Cancel, Remove (0: skip)")
	flag.StringVar(&o.serve, "serve", "128MiB,1GiB", "file sizes for the go-tus rows into ferry serve vs a bare tusd (\"\": skip them)")
	flag.StringVar(&o.ferry, "ferry", "", "path to a built ferry binary (default: build one)")
	flag.StringVar(&o.dir, "dir", os.TempDir(), "where temp files go (test files and the tusd store)")
	flag.IntVar(&o.runs, "runs", 1, "runs of each measurement; the fastest is kept")
	flag.BoolVar(&o.json, "json", false, "print results as JSON lines instead of tables")
	flag.Parse()

	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	sizes, ferry, dir   string
	serve               string // sizes for the serve rows
	small, many, engine int
	runs                int
	json                bool
}

func child(name string, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

func run(o options) error {
	var sizes []int64
	if strings.TrimSpace(o.sizes) != "" {
		var err error
		if sizes, err = parseSizes(o.sizes); err != nil {
			return err
		}
	}
	o.runs = max(o.runs, 1)
	work, err := os.MkdirTemp(o.dir, "ferry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if o.ferry == "" {
		if o.ferry, err = buildFerry(work); err != nil {
			return err
		}
	} else if o.ferry, err = filepath.Abs(o.ferry); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := startSpawner(self); err != nil {
		return err
	}
	defer stopSpawner()

	srv, err := startTusd(filepath.Join(work, "store"))
	if err != nil {
		return err
	}
	defer srv.Close()

	env := environment()
	if o.json {
		printJSON(env)
	} else {
		printEnv(env)
	}

	var results []result
	for _, size := range sizes {
		r, err := benchSize(srv, self, o.ferry, work, size, o.runs)
		if err != nil {
			return err
		}
		if r.Skipped != "" {
			r.Type, r.Verdict = "result", r.verdict()
		}
		if o.json {
			printJSON(r)
		}
		results = append(results, r)
	}
	if !o.json && len(results) > 0 {
		printTable(results)
	}

	if strings.TrimSpace(o.serve) != "" {
		serveSizes, err := parseSizes(o.serve)
		if err != nil {
			return err
		}
		sr, err := benchServeRows(srv, self, o.ferry, work, serveSizes, o.runs)
		if err != nil {
			return err
		}
		for _, r := range sr {
			if o.json {
				printJSON(r)
			}
		}
		if !o.json {
			printServeTable(sr)
		}
	}

	var rows []row
	var smallRow *row // ferry's row of the small files, for the many-jobs row to compare with
	if o.small > 0 {
		rs, err := benchSmall(srv, self, o.ferry, work, o.small, o.runs)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
		smallRow = &rs[0]
	}
	if o.many > 0 {
		r, err := benchMany(srv, o.ferry, work, o.many, o.runs, smallRow)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if o.engine > 0 {
		rs, err := benchEngine(work, o.engine)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	if o.json {
		for _, r := range rows {
			printJSON(r)
		}
	} else if len(rows) > 0 {
		printRows(rows)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+strings.TrimSuffix(format, "\n")+"\n", args...)
}
