package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	tus "github.com/eventials/go-tus"
)

// gotusLoop is the small-files baseline: a plain go-tus client creating
// and uploading each file of dir, one after another. It runs as a child.
func gotusLoop(endpoint, dir string) error {
	client, err := tus.NewClient(endpoint, nil)
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if err := gotusOne(client, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func gotusOne(client *tus.Client, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	up, err := tus.NewUploadFromFile(f)
	if err != nil {
		return err
	}
	u, err := client.CreateUpload(up)
	if err != nil {
		return err
	}
	return u.Upload()
}
