package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tus "github.com/eventials/go-tus"
)

// The serve row: one third-party client (go-tus, 16 MiB chunks) uploads
// the same file into `ferry serve` and into the bare tusd. The receiver's
// checks (Host, ids, space, the move into the receive folder) should cost
// nothing measurable.

const goTusChunk = 16 << 20

// goTusUpload is the hidden child mode: go-tus uploads path to endpoint.
func goTusUpload(endpoint, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg := tus.DefaultConfig()
	cfg.ChunkSize = goTusChunk
	client, err := tus.NewClient(endpoint, cfg)
	if err != nil {
		return err
	}
	up, err := tus.NewUploadFromFile(f)
	if err != nil {
		return err
	}
	uploader, err := client.CreateUpload(up)
	if err != nil {
		return err
	}
	return uploader.Upload()
}

// ferryServe is a running `ferry serve` on loopback.
type ferryServe struct {
	URL, dir string
	cmd      *exec.Cmd
}

func startFerryServe(ferryBin, dir string) (*ferryServe, error) {
	cmd := exec.Command(ferryBin, "serve", "--listen", "127.0.0.1:0", "--dir", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Upload URL: "); ok {
				urls <- u
			}
		}
	}()
	select {
	case u := <-urls:
		return &ferryServe{URL: u, dir: dir, cmd: cmd}, nil
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("ferry serve printed no upload URL")
	}
}

func (s *ferryServe) Close() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// take checks the one received file and deletes it.
func (s *ferryServe) take(name string, size int64, sum [32]byte) error {
	path := filepath.Join(s.dir, name)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ferry serve: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	os.Remove(path)
	switch {
	case err != nil:
		return err
	case n != size:
		return fmt.Errorf("ferry serve stored %d bytes, want %d", n, size)
	case [32]byte(h.Sum(nil)) != sum:
		return fmt.Errorf("ferry serve: SHA-256 mismatch")
	}
	return nil
}

// serveResult is one file size of the serve row.
type serveResult struct {
	Type  string  `json:"type"` // "serve"
	Label string  `json:"label"`
	Size  int64   `json:"size"`
	Tusd  *sample `json:"tusd,omitempty"`
	Serve *sample `json:"serve,omitempty"`
	Ratio float64 `json:"ratio,omitempty"` // serve/tusd throughput
}

func benchServe(srv *tusd, fs *ferryServe, self, file string, size int64, sum [32]byte, runs int) (serveResult, error) {
	r := serveResult{Type: "serve", Label: formatSize(size), Size: size}
	for i := 0; i < runs; i++ {
		for _, kind := range []string{"tusd", "serve"} {
			endpoint := srv.URL
			if kind == "serve" {
				endpoint = fs.URL
			}
			logf("%s: run %d/%d go-tus into %s", r.Label, i+1, runs, kind)
			m, err := measure([]string{self, "go-tus", endpoint, file})
			if err != nil {
				return r, fmt.Errorf("%s go-tus into %s: %w", r.Label, kind, err)
			}
			if kind == "tusd" {
				err = srv.verify(size, sum)
				if cerr := srv.clear(); err == nil {
					err = cerr
				}
			} else {
				err = fs.take(filepath.Base(file), size, sum)
			}
			if err != nil {
				return r, err
			}
			m.MiBps = float64(size) / (1 << 20) / m.Wall.Seconds()
			p := &r.Tusd
			if kind == "serve" {
				p = &r.Serve
			}
			if *p == nil || m.Wall < (*p).Wall {
				*p = &m
			}
		}
	}
	r.Ratio = r.Serve.MiBps / r.Tusd.MiBps
	return r, nil
}

// benchServeRows measures each size with its own test file, next to (not
// inside) the raw/ferry throughput rows.
func benchServeRows(srv *tusd, self, ferryBin, work string, sizes []int64, runs int) ([]serveResult, error) {
	fs, err := startFerryServe(ferryBin, filepath.Join(work, "serve-received"))
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	var rows []serveResult
	for _, size := range sizes {
		label := formatSize(size)
		if free, ok := freeBytes(work); ok && free < 2*size+64<<20 {
			logf("%s: serve row skipped: not enough free space in %s", label, work)
			continue
		}
		file := filepath.Join(work, "serve-"+label+".bin")
		sum, err := makeRandomFile(file, size)
		if err != nil {
			return rows, err
		}
		r, err := benchServe(srv, fs, self, file, size, sum, runs)
		os.Remove(file)
		if err != nil {
			return rows, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func printServeTable(rows []serveResult) {
	if len(rows) == 0 {
		return
	}
	fmt.Println()
	fmt.Printf("go-tus (%d MiB chunks) into ferry serve vs a bare tusd:\n", goTusChunk>>20)
	fmt.Printf("%8s %12s %13s %7s\n", "size", "tusd MiB/s", "serve MiB/s", "ratio")
	for _, r := range rows {
		fmt.Printf("%8s %12.0f %13.0f %7.3f\n", r.Label, r.Tusd.MiBps, r.Serve.MiBps, r.Ratio)
	}
}
