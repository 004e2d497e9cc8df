package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
)

// rawPatch is the baseline: one creation POST, then the whole file in one
// streaming PATCH with a plain http.Client. It runs as a child process.
func rawPatch(endpoint, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	client := &http.Client{}

	req, err := http.NewRequest(http.MethodPost, endpoint, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST: %s", resp.Status)
	}
	loc, err := resp.Location()
	if err != nil {
		return fmt.Errorf("POST: %w", err)
	}

	req, err = http.NewRequest(http.MethodPatch, loc.String(), f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "0")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("PATCH: %s", resp.Status)
	}
	if off := resp.Header.Get("Upload-Offset"); off != strconv.FormatInt(size, 10) {
		return fmt.Errorf("PATCH: server offset %q, want %d", off, size)
	}
	return nil
}
