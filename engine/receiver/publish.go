package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
)

const (
	// doneSuffix marks an upload already placed in Dir. tusd fires the finish
	// callback twice for an empty final concatenation, and we retry on HEAD
	// and at startup, so placing must be idempotent.
	doneSuffix = ".done"
	copySuffix = ".copy" // half-done copy fallback; removed at startup
	// keepWork is how long work files outlive their last write (checked at
	// startup). Finished uploads stay so a client that crashed can still HEAD
	// them and see "done"; being hard links they cost no extra space, but
	// deleting the visible file frees nothing until they are pruned.
	keepWork      = 7 * 24 * time.Hour
	maxDuplicates = 10000
)

// onFinish is tusd's PreFinishResponseCallback: it runs before the response
// to the request that completed an upload (last PATCH, creation-with-upload,
// empty POST, or the POST of a final concatenation), so the file is in Dir
// before the client hears 204/201. It also fires for finished partial
// uploads, which publish skips.
func (s *Server) onFinish(ev handler.HookEvent) (handler.HTTPResponse, error) {
	if err := s.publish(ev.Upload, ev.HTTPRequest.RemoteAddr); err != nil {
		return handler.HTTPResponse{}, handler.NewError("ERR_SAVE_FAILED",
			"could not save the received file: "+cause(err).Error(), http.StatusInternalServerError)
	}
	return handler.HTTPResponse{}, nil
}

// publishID publishes a stored upload if it is complete; unknown IDs are
// left for tusd to answer 404.
func (s *Server) publishID(ctx context.Context, id, from string) error {
	up, err := s.store.GetUpload(ctx, id)
	if err != nil {
		return nil
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return nil
	}
	return s.publish(info, from)
}

// publish places a complete, non-partial upload into Dir once.
func (s *Server) publish(info handler.FileInfo, from string) error {
	if info.IsPartial || info.SizeIsDeferred || info.Offset != info.Size {
		return nil
	}
	mu := s.lockFor(info.ID)
	mu.Lock()
	defer mu.Unlock()
	marker := filepath.Join(s.work, info.ID+doneSuffix)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	name, err := s.place(s.dataPath(info), s.nameFor(info))
	if err != nil {
		return err
	}
	// The file is in place even if the marker cannot be written; the worst
	// case is a duplicate "(1)" after a restart, not a lost file.
	_ = os.WriteFile(marker, []byte(name+"\n"), 0o644)
	if s.logf != nil {
		if host, _, err := net.SplitHostPort(from); err == nil {
			s.logf("received %s (%s) from %s", name, humanSize(info.Size), host)
		} else {
			s.logf("received %s (%s)", name, humanSize(info.Size))
		}
	}
	return nil
}

func (s *Server) lockFor(id string) *sync.Mutex {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	mu, ok := s.pubLock[id]
	if !ok {
		mu = new(sync.Mutex)
		s.pubLock[id] = mu
	}
	return mu
}

func (s *Server) dataPath(info handler.FileInfo) string {
	if p := info.Storage[filestore.StorageKeyPath]; p != "" {
		return p
	}
	return filepath.Join(s.work, info.ID)
}

// nameFor prefers metadata "filename" (tus-js-client, Uppy), then "name".
func (s *Server) nameFor(info handler.FileInfo) string {
	for _, k := range []string{"filename", "name"} {
		if n := sanitize(info.MetaData[k]); n != "" {
			return n
		}
	}
	return "upload-" + info.ID
}

// place hard-links src into Dir under name, or "stem (N).ext" if taken.
// Linking (not moving) keeps tusd's data file, so HEAD still reports the
// upload complete. Link and O_EXCL both fail on an existing name, so
// concurrent finishes can never overwrite each other.
func (s *Server) place(src, name string) (string, error) {
	stem, ext := splitExt(name)
	tmp := ""
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	for i := 0; i < maxDuplicates; i++ {
		cand := name
		if i > 0 {
			cand = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		dst := filepath.Join(s.dir, cand)
		if tmp == "" {
			err := os.Link(src, dst)
			if err == nil {
				return cand, nil
			}
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			// No hard links here (FAT, some network shares): copy once to the
			// work folder, then claim a name and rename over the claim.
			if tmp, err = copyToTemp(src, s.work); err != nil {
				return "", err
			}
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		f.Close()
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(dst)
			return "", err
		}
		tmp = ""
		return cand, nil
	}
	return "", fmt.Errorf("too many files named %s", name)
}

func copyToTemp(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "*"+copySuffix)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// recoverWork tidies the work folder at startup: it places uploads that
// completed just before a crash, drops stale work files and leftovers.
func (s *Server) recoverWork() {
	entries, err := os.ReadDir(s.work)
	if err != nil {
		return
	}
	ctx := context.Background()
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(s.work, name)
		switch {
		case strings.HasSuffix(name, copySuffix):
			os.Remove(path)
		case strings.HasSuffix(name, doneSuffix):
			// Terminated uploads (DELETE) leave their marker behind.
			if _, err := os.Stat(strings.TrimSuffix(path, doneSuffix) + ".info"); errors.Is(err, fs.ErrNotExist) {
				os.Remove(path)
			}
		case strings.HasSuffix(name, ".info"):
			s.recoverUpload(ctx, strings.TrimSuffix(name, ".info"))
		}
	}
}

func (s *Server) recoverUpload(ctx context.Context, id string) {
	up, err := s.store.GetUpload(ctx, id)
	if err != nil {
		return
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return
	}
	if err := s.publish(info, ""); err != nil {
		if s.logf != nil {
			s.logf("could not save finished upload %s: %v", id, err)
		}
		return // keep its data for the next attempt
	}
	if st, err := os.Stat(s.dataPath(info)); err == nil && time.Since(st.ModTime()) > keepWork {
		// Placed long ago, or abandoned half-way.
		if s.store.AsTerminatableUpload(up).Terminate(ctx) == nil {
			os.Remove(filepath.Join(s.work, id+doneSuffix))
		}
	}
}

// humanSize formats n bytes in decimal units, as file managers do.
func humanSize(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	f, units := float64(n), "kMGTPE"
	i := -1
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, units[i])
}
