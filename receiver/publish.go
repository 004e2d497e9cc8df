package receiver

import (
	"context"
	"errors"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/units"
)

const (
	// doneSuffix marks an upload already placed in Dir; its content is the
	// name it got. With the .info it answers HEAD after the data has moved.
	// tusd fires the finish callback twice for an empty final concatenation,
	// and we retry on HEAD and at startup, so placing must be idempotent.
	doneSuffix = ".done"
	copySuffix = ".copy"     // half-done copy fallback; removed at startup
	tmpSuffix  = ".done.tmp" // a marker being written; removed at startup
)

// onFinish is tusd's PreFinishResponseCallback: it runs before the response
// to the request that completed an upload (last PATCH, creation-with-upload,
// empty POST, or the POST of a final concatenation), so the file is in Dir
// before the client hears 204/201. It also fires for finished partial
// uploads, which publish skips.
func (s *Server) onFinish(ev handler.HookEvent) (handler.HTTPResponse, error) {
	req := requestOf(ev.Context)
	s.track.settle(ev.Upload.ID)
	if req.overflowed(ev.Upload) {
		// What fitted is the start of something longer: never a file.
		s.store.remove(ev.Upload.ID)
		s.refusals.say(s.logf, "overflow", "refused %s: the client sent more than its Upload-Length of %s", label(ev.Upload), units.Size(ev.Upload.Size))
		return handler.HTTPResponse{}, errOverflow
	}
	req.finished()
	if err := s.publish(ev.Upload, ev.HTTPRequest.RemoteAddr); err != nil {
		return handler.HTTPResponse{}, saveError(err)
	}
	return handler.HTTPResponse{}, nil
}

func saveError(err error) handler.Error {
	if diskFull(err) {
		return errDiskFull
	}
	return handler.NewError("ERR_SAVE_FAILED", "could not save the received file: "+fault.Cause(err), http.StatusInternalServerError)
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

// publish moves a complete, non-partial upload into Dir once. Its work
// folder keeps only the .info and a .done marker, so HEAD still says
// complete while the file occupies the disk once, in Dir only.
//
// The decision comes first and is durable: the marker names the file
// before the file appears under that name. So whatever stops it (a marker
// that cannot be written, a full disk, SIGKILL between any two steps),
// the next HEAD, sweep or start finishes the same decision or makes none:
// never a second copy, never the data kept after publishing.
func (s *Server) publish(info handler.FileInfo, from string) error {
	if info.IsPartial || info.SizeIsDeferred || info.Offset != info.Size {
		return nil
	}
	mu := s.lockFor(info.ID)
	mu.Lock()
	defer mu.Unlock()
	src := s.store.path(info.ID)
	if name, ok := s.store.decided(info.ID); ok {
		if done, err := s.finishPublish(src, name); done || err != nil {
			return err
		}
		// The name was taken by another file before ours got it: decide
		// again.
	}
	name, err := s.place(info.ID, src, nameFor(info))
	if err != nil {
		s.refusals.say(s.logf, "publish", "failed %s: could not save it into %s: %s", label(info), s.dir, fault.Cause(err))
		return err
	}
	if s.store.stop("linked") {
		return errStopped
	}
	os.Remove(src) // published: the work name goes (else at the next look)
	s.received(name, info.Size, from)
	return nil
}

// finishPublish completes a decision made before a stop: the data gets
// the name it was given, or, already there, loses its work name. done is
// false when the name holds another file, so the caller decides anew.
func (s *Server) finishPublish(src, name string) (done bool, err error) {
	dst := filepath.Join(s.dir, name)
	work, err := os.Stat(src)
	if err != nil {
		return true, nil // published before the stop
	}
	pub, err := os.Lstat(dst)
	switch {
	case err == nil && os.SameFile(work, pub):
		os.Remove(src)
		return true, nil
	case err == nil:
		return false, nil
	}
	if err := s.link(src, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	os.Remove(src)
	return true, nil
}

// received says a file arrived.
func (s *Server) received(name string, size int64, from string) {
	if host, _, err := net.SplitHostPort(from); err == nil {
		s.logf("received %s (%s) from %s", name, units.Size(size), host)
	} else {
		s.logf("received %s (%s)", name, units.Size(size))
	}
}

// lockFor is one of a fixed set of locks, so each id is published once
// without a map that grows with every upload.
func (s *Server) lockFor(id string) *sync.Mutex {
	h := fnv.New32a()
	io.WriteString(h, id)
	return &s.pubLocks[h.Sum32()%uint32(len(s.pubLocks))]
}

// nameOf is the sanitised client name: metadata "filename" (tus-js-client,
// Uppy), then "name"; "" if neither gives one.
func nameOf(meta handler.MetaData) string {
	for _, k := range []string{"filename", "name"} {
		if n := sanitize(meta[k]); n != "" {
			return n
		}
	}
	return ""
}

func nameFor(info handler.FileInfo) string {
	if n := nameOf(info.MetaData); n != "" {
		return n
	}
	return "upload-" + info.ID
}

// label names an upload in console lines: its name, else its id, else
// (a creation not yet made) "an unnamed upload".
func label(info handler.FileInfo) string {
	if n := nameOf(info.MetaData); n != "" {
		return n
	}
	if info.ID == "" {
		return "an unnamed upload"
	}
	return "upload " + info.ID
}

// place gives src a free name in Dir, deciding on each candidate durably
// before making it (see publish). Making a name is a hard link, which
// (unlike rename) never replaces a file already there, so concurrent
// finishes can never overwrite each other.
func (s *Server) place(id, src, name string) (string, error) {
	return s.names.claim(s.dir, name, func(dst string) error {
		if _, err := os.Lstat(dst); err == nil {
			return fs.ErrExist // taken: no decision for it
		}
		if err := s.store.decide(id, filepath.Base(dst)); err != nil {
			return err
		}
		if s.store.stop("decided") {
			return errStopped
		}
		return s.link(src, dst)
	})
}

// link makes dst the data of src without replacing anything there, with
// the mode a new file of the user's gets. Where hard links are missing
// (FAT, some network shares) it claims dst with O_EXCL and renames src
// over the claim.
func (s *Server) link(src, dst string) error {
	err := os.Link(src, dst)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Close()
		if err := os.Rename(src, dst); err != nil {
			os.Remove(dst)
			return err
		}
	}
	userMode(dst)
	return nil
}
