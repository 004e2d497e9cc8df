package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// aimFilesPerS is the aim for 1 KiB files on loopback.
const aimFilesPerS = 1000

// benchSmall uploads n and n/2 files of 1 KiB with `ferry upload DIR`
// (fresh data dir each run), and n with a sequential go-tus loop.
func benchSmall(srv *tusd, self, ferryBin, work string, n, runs int) ([]row, error) {
	half := max(n/2, 1)
	dirs := map[int]string{}
	sums := map[int]sumSet{}
	for _, k := range []int{n, half} {
		dirs[k] = filepath.Join(work, "small-"+strconv.Itoa(k))
		logf("small files: writing %d files of 1 KiB", k)
		s, err := makeSmallDir(dirs[k], k)
		if err != nil {
			return nil, err
		}
		sums[k] = s
		defer os.RemoveAll(dirs[k])
	}

	upload := func(name string, k int, argv func() ([]string, error)) (row, error) {
		m, err := bestOf(runs, func(i int) (sample, error) {
			logf("small files: %s, %d files, run %d/%d", name, k, i+1, runs)
			return uploadChecked(srv, sums[k], argv)
		})
		if err != nil {
			return row{}, fmt.Errorf("%s of %d small files: %w", name, k, err)
		}
		return sampleRow("small files", name, k, m), nil
	}
	ferry := func(k int) func() ([]string, error) { return ferryUpload(ferryBin, work, srv.URL, dirs[k]) }

	full, err := upload("ferry upload DIR", n, ferry(n))
	if err != nil {
		return nil, err
	}
	halfRow, err := upload("ferry upload DIR", half, ferry(half))
	if err != nil {
		return nil, err
	}
	own, err := benchSmallServe(ferryBin, work, sums[n], n, runs, ferry(n))
	if err != nil {
		return nil, err
	}
	base, err := upload("go-tus sequential loop", n, func() ([]string, error) {
		return []string{self, "gotus-loop", srv.URL, dirs[n]}, nil
	})
	if err != nil {
		return nil, err
	}

	word := "ok"
	if full.Rate < aimFilesPerS {
		word = "below aim"
	}
	full.Note = fmt.Sprintf("aim ≥%d files/s: %s; %.2f× go-tus", aimFilesPerS, word, full.Rate/base.Rate)
	halfRow.Note = fmt.Sprintf("%d/%d: wall %s", n, half, linearity(full.WallS/halfRow.WallS, full.CPUS/halfRow.CPUS))
	own.Note = fmt.Sprintf("%.2f× into tusd (one request a file: named creation-with-upload)", own.Rate/full.Rate)
	base.Note = "baseline"
	return []row{full, halfRow, own, base}, nil
}

// benchSmallServe uploads n files (argv's command) with `ferry upload DIR` into
// a `ferry serve` on loopback (Ferry's own receiver, where a small file
// takes one request), checking what arrives byte for byte.
func benchSmallServe(ferryBin, work string, sums sumSet, n, runs int, argv func() ([]string, error)) (row, error) {
	m, err := bestOf(runs, func(i int) (sample, error) {
		recv, err := os.MkdirTemp(work, "serve-small-")
		if err != nil {
			return sample{}, err
		}
		defer os.RemoveAll(recv)
		fs, err := startFerryServe(ferryBin, recv)
		if err != nil {
			return sample{}, err
		}
		cmd, err := argv()
		if err != nil {
			fs.Close()
			return sample{}, err
		}
		cmd[len(cmd)-2] = fs.URL // --to
		logf("small files: ferry upload DIR into ferry serve, %d files, run %d/%d", n, i+1, runs)
		syncDisk()
		m, err := measure(cmd)
		fs.Close()
		if err == nil {
			err = checkFiles(receivedFiles(recv), sums)
		}
		return m, err
	})
	if err != nil {
		return row{}, fmt.Errorf("%d small files into ferry serve: %w", n, err)
	}
	return sampleRow("small files", "ferry upload DIR → ferry serve", n, m), nil
}

// bestOf runs try runs times and keeps the fastest sample; try does one
// run whole (set-up, measure, check, clean-up).
func bestOf(runs int, try func(i int) (sample, error)) (sample, error) {
	var best sample
	for i := range runs {
		m, err := try(i)
		if err != nil {
			return sample{}, err
		}
		if i == 0 || m.Wall < best.Wall {
			best = m
		}
	}
	return best, nil
}

// uploadChecked runs argv's upload into the bench tusd, checks that it
// holds exactly the files of sums, and empties it.
func uploadChecked(srv *tusd, sums sumSet, argv func() ([]string, error)) (sample, error) {
	cmd, err := argv()
	if err != nil {
		return sample{}, err
	}
	syncDisk()
	m, err := measure(cmd)
	if err == nil {
		err = srv.check(sums)
	}
	if err != nil {
		return sample{}, err
	}
	return m, srv.clear()
}

// ferryUpload is the command line of `ferry upload DIR` to url with a
// fresh data dir in work, made when it is asked for.
func ferryUpload(ferryBin, work, url, dir string) func() ([]string, error) {
	return func() ([]string, error) {
		dataDir, err := os.MkdirTemp(work, "ferry-data-")
		if err != nil {
			return nil, err
		}
		return []string{ferryBin, "upload", "--data-dir", dataDir, "--to", url, dir}, nil
	}
}

// receivedFiles lists the files ferry serve published into dir (its own
// hidden state left out).
func receivedFiles(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// check verifies the store holds exactly the files of want, once each.
func (t *tusd) check(want sumSet) error {
	paths, err := t.uploads()
	if err != nil {
		return err
	}
	return checkFiles(paths, want)
}

// sampleRow makes a table row of a measured child process.
func sampleRow(group, name string, n int, m sample) row {
	return row{Type: "row", Group: group, Name: name, N: n, WallS: m.WallS, CPUS: m.CPUS, RSSMiB: m.RSSMiB,
		Rate: float64(n) / m.Wall.Seconds(), PerUS: float64(m.Wall.Microseconds()) / float64(n)}
}

// timedRow makes a table row of an in-process call.
func timedRow(group, name string, n int, d time.Duration) row {
	return row{Type: "row", Group: group, Name: name, N: n, WallS: d.Seconds(),
		Rate: float64(n) / d.Seconds(), PerUS: float64(d.Microseconds()) / float64(n)}
}

// linearity judges the time ratio of n to n/2 files, on wall and on CPU:
// a shared machine disturbs wall time, and a quadratic cost shows in both.
func linearity(wall, cpu float64) string {
	return fmt.Sprintf("%.2f, CPU %.2f (≈2: linear): %s", wall, cpu, verdict(wall, cpu, 1.5, 2.5))
}

// verdict judges a ratio of times that is linear between lo and hi: on
// wall or CPU (a shared machine disturbs wall time), and worse only when
// both are above (a cost that grows with the queue shows in both).
func verdict(wall, cpu, lo, hi float64) string {
	in := func(r float64) bool { return r >= lo && r <= hi }
	switch {
	case wall > hi && cpu > hi:
		return "WORSE than linear"
	case in(wall) || in(cpu):
		return "linear"
	}
	return "noisy: run again (-runs 3)"
}
