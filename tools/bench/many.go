package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// aimManyRSSMiB is the aim for a queue of 100 000 jobs: ferry's
// peak RSS stays under it.
const aimManyRSSMiB = 250

// benchMany uploads n files of 1 KiB with one `ferry upload DIR` (a fresh
// data dir each run) and reports files/s and peak RSS, with the RSS per
// job. ref, the small-files row of this bench run if there is one, is
// what the time per file is compared with: a queue that grows linearly
// takes as long per file at n as at ref.N.
func benchMany(srv *tusd, ferryBin, work string, n, runs int, ref *row) (row, error) {
	dir := filepath.Join(work, "many-"+strconv.Itoa(n))
	logf("many jobs: writing %d files of 1 KiB", n)
	sums, err := makeSmallDir(dir, n)
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	m, err := bestOf(runs, func(i int) (sample, error) {
		logf("many jobs: ferry upload DIR, %d files, run %d/%d", n, i+1, runs)
		return uploadChecked(srv, sums, ferryUpload(ferryBin, work, srv.URL, dir))
	})
	if err != nil {
		return row{}, fmt.Errorf("ferry upload DIR of %d files: %w", n, err)
	}
	r := sampleRow("many jobs", "ferry upload DIR", n, m)
	word := "ok"
	if r.RSSMiB >= aimManyRSSMiB {
		word = "OVER aim"
	}
	r.Note = fmt.Sprintf("aim RSS <%d MiB: %s, %.1f KiB a job", aimManyRSSMiB, word, r.RSSMiB*1024/float64(n))
	if ref != nil && ref.N > 0 && ref.N < n {
		// What each job beyond the smaller run adds: the fixed part of
		// the RSS (runtime, buffers) left out.
		r.Note += fmt.Sprintf(" (%.1f KiB each beyond %d files); per file vs %d files: %s",
			(r.RSSMiB-ref.RSSMiB)*1024/float64(n-ref.N), ref.N, ref.N, perFile(r, *ref))
	}
	return r, nil
}

// perFile judges the time per file of a big run against a smaller one,
// on wall and on CPU: ≈1 is linear, and a cost that grows with the queue
// shows in both.
func perFile(big, small row) string {
	wall := big.PerUS / small.PerUS
	cpu := 0.0
	if small.CPUS > 0 {
		cpu = (big.CPUS / float64(big.N)) / (small.CPUS / float64(small.N))
	}
	return fmt.Sprintf("wall %.2f×, CPU %.2f× (≈1: linear): %s", wall, cpu, verdict(wall, cpu, 0.75, 1.33))
}
