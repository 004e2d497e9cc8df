package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/ferry-app/ferry/engine"
)

func cmdUpload(args []string, stdout, stderr io.Writer) int {
	var c common
	var to string
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&to, "to", "", "tus upload URL (creation endpoint), e.g. https://host/files/")
	paths, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry upload --to URL [flags] FILE|DIR...")
		return exitOK
	}
	if err == nil {
		err = checkDest(to)
	}
	if err == nil && len(paths) == 0 {
		err = usagef("no files given: ferry upload --to URL FILE|DIR...")
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	opts, err := c.engineOptions()
	if err != nil {
		return exitCode(err, stderr)
	}

	files, bad := expand(paths)
	eng, err := engine.Open(opts)
	if err != nil {
		return exitCode(err, stderr)
	}
	dest := engine.Destination{URL: to, Header: c.headers.header(), Meta: c.meta, ChunkSize: int64(c.chunkSize)}
	var ids []string
	for _, f := range files {
		j, err := eng.Add(f, dest)
		if err != nil {
			bad = append(bad, failure{path: f, err: err})
			continue
		}
		ids = append(ids, j.ID)
	}
	return follow(eng, ids, bad, followOpts{json: c.json}, stdout, stderr)
}

// failure is a path that never became a job.
type failure struct {
	path string
	err  error
}

// expand turns the arguments into files: folders recursively, in a stable
// order. Anything that is not a folder goes on as it is, for Add to accept
// or to explain; unreadable or empty folders come back as failures.
func expand(paths []string) (files []string, bad []failure) {
	seen := map[string]bool{}
	add := func(p string) {
		if abs, err := filepath.Abs(p); err == nil && !seen[abs] {
			seen[abs] = true
			files = append(files, abs)
		}
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			add(p)
			continue
		}
		var found []string
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				bad = append(bad, failure{path, engine.FileError(path, err)})
				if d != nil && d.IsDir() && path != p {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				found = append(found, path)
			}
			return nil
		})
		if err == nil && len(found) == 0 {
			bad = append(bad, failure{p, fmt.Errorf("%s is an empty folder: nothing to upload.", p)})
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return files, bad
}
