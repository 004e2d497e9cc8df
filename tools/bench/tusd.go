package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	"golang.org/x/exp/slog" // tusd's Config.Logger is x/exp/slog, not log/slog
)

// tusd is a real tusd v2 with a filestore, served in-process on loopback.
type tusd struct {
	URL string // creation endpoint, ".../files/"
	dir string // filestore directory
	srv *http.Server
}

func startTusd(dir string) (*tusd, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	composer := handler.NewStoreComposer()
	filestore.New(dir).UseIn(composer)
	memorylocker.New().UseIn(composer)
	h, err := handler.NewHandler(handler.Config{
		BasePath:      "/files/",
		StoreComposer: composer,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/files/", http.StripPrefix("/files/", h))
	mux.Handle("/files", http.StripPrefix("/files", h))
	t := &tusd{URL: "http://" + ln.Addr().String() + "/files/", dir: dir, srv: &http.Server{Handler: mux}}
	go t.srv.Serve(ln)
	return t, nil
}

func (t *tusd) Close() { t.srv.Close() }

// verify checks that the newest upload's data file has the given size and
// SHA-256.
func (t *tusd) verify(size int64, sum [32]byte) error {
	path, err := t.newestUpload()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("server stored %d bytes, want %d", n, size)
	}
	if got := [32]byte(h.Sum(nil)); got != sum {
		return fmt.Errorf("SHA-256 mismatch: server has %x, file is %x", got, sum)
	}
	return nil
}

// newestUpload returns the filestore data file (the one without ".info")
// modified last.
func (t *tusd) newestUpload() (string, error) {
	ents, err := os.ReadDir(t.dir)
	if err != nil {
		return "", err
	}
	var best string
	var bestTime int64
	for _, e := range ents {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".info") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return "", err
		}
		if mt := fi.ModTime().UnixNano(); best == "" || mt > bestTime {
			best, bestTime = e.Name(), mt
		}
	}
	if best == "" {
		return "", fmt.Errorf("server stored no upload")
	}
	return filepath.Join(t.dir, best), nil
}

// clear deletes every stored upload so big runs do not fill the disk.
func (t *tusd) clear() error {
	ents, err := os.ReadDir(t.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(t.dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// uploads lists the filestore data files (one per upload created).
func (t *tusd) uploads() ([]string, error) {
	ents, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), ".info") {
			out = append(out, filepath.Join(t.dir, e.Name()))
		}
	}
	return out, nil
}
