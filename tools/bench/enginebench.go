package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ferry-app/ferry/engine"
)

// loopCalls is how many ids get one Cancel and one Remove call each.
const loopCalls = 1000

// benchEngine times the engine's bookkeeping with n jobs, in process, with
// nothing uploading: AddMany of a folder, reopening the database, Cancel
// and Remove of every id in one call, and then, on a fresh queue of n, one
// call per id for the first loopCalls ids.
func benchEngine(work string, n int) ([]row, error) {
	dir := filepath.Join(work, "engine-files")
	logf("engine: writing %d files of 1 KiB", n)
	if _, err := makeSmallDir(dir, n); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Not calling Start is not enough: it holds only jobs loaded from
	// disk, and fresh ones start at once. A server that never answers
	// keeps the first few running and the rest queued.
	hold, err := startHold()
	if err != nil {
		return nil, err
	}
	defer hold.Close()
	dest := engine.Destination{URL: hold.URL}
	const g = "engine"
	var rows []row

	// One call each.
	var eng *engine.Engine
	var ids []string
	var d time.Duration
	dataDir, err := os.MkdirTemp(work, "engine-data-")
	if err != nil {
		return nil, err
	}
	eng, ids, d, err = addAll(dataDir, dir, dest, n)
	if err != nil {
		return nil, err
	}
	rows = append(rows, timedRow(g, "AddMany(folder)", n, d))
	if err := eng.Close(); err != nil {
		return nil, fmt.Errorf("engine Close: %w", err)
	}
	logf("engine: reopening with %d jobs", n)
	start := time.Now()
	if eng, err = engine.Open(engine.Options{DataDir: dataDir}); err != nil {
		return nil, fmt.Errorf("engine reopen: %w", err)
	}
	rows = append(rows, timedRow(g, "Open with the jobs on disk", n, time.Since(start)))
	for _, op := range []struct {
		name string
		call func(...string) error
	}{{"Cancel(all ids) one call", eng.Cancel}, {"Remove(all ids) one call", eng.Remove}} {
		logf("engine: %s", op.name)
		start := time.Now()
		if err := op.call(ids...); err != nil {
			return nil, fmt.Errorf("engine %s: %w", op.name, err)
		}
		rows = append(rows, timedRow(g, op.name, n, time.Since(start)))
	}
	if err := eng.Close(); err != nil {
		return nil, fmt.Errorf("engine Close: %w", err)
	}

	// One call per id, with the other jobs still queued.
	if dataDir, err = os.MkdirTemp(work, "engine-data-"); err != nil {
		return nil, err
	}
	if eng, ids, _, err = addAll(dataDir, dir, dest, n); err != nil {
		return nil, err
	}
	defer eng.Close()
	k := min(loopCalls, n)
	for _, op := range []struct {
		name string
		call func(...string) error
	}{{"Cancel(id) per call", eng.Cancel}, {"Remove(id) per call", eng.Remove}} {
		logf("engine: %s × %d", op.name, k)
		start := time.Now()
		for _, id := range ids[:k] {
			if err := op.call(id); err != nil {
				return nil, fmt.Errorf("engine %s %s: %w", op.name, id, err)
			}
		}
		r := timedRow(g, op.name, k, time.Since(start))
		r.Note = fmt.Sprintf("%d jobs queued; durable on return", n)
		rows = append(rows, r)
	}
	return rows, nil
}

// addAll opens an engine on dataDir and adds folder dir, checking that it
// made n distinct jobs.
func addAll(dataDir, dir string, dest engine.Destination, n int) (*engine.Engine, []string, time.Duration, error) {
	eng, err := engine.Open(engine.Options{DataDir: dataDir})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("engine Open: %w", err)
	}
	logf("engine: AddMany of %d files", n)
	start := time.Now()
	added := eng.AddMany([]string{dir}, dest)
	d := time.Since(start)
	ids := make([]string, 0, len(added))
	seen := make(map[string]bool, len(added))
	for _, a := range added {
		if a.Err != nil {
			eng.Close()
			return nil, nil, 0, fmt.Errorf("engine AddMany: %s: %w", a.Path, a.Err)
		}
		if !seen[a.Job.ID] {
			seen[a.Job.ID] = true
			ids = append(ids, a.Job.ID)
		}
	}
	if len(ids) != n {
		eng.Close()
		return nil, nil, 0, fmt.Errorf("engine AddMany: %d jobs for %d files", len(ids), n)
	}
	return eng, ids, d, nil
}
