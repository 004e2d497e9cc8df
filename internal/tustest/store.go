package tustest

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"
)

// countingStore is the filestore with creations counted. Counting here,
// rather than on 201 answers, includes uploads whose creation-with-upload
// body failed after tusd had already created them.
type countingStore struct {
	filestore.FileStore
	s *Server
}

func (c countingStore) NewUpload(ctx context.Context, info handler.FileInfo) (handler.Upload, error) {
	up, err := c.FileStore.NewUpload(ctx, info)
	if err == nil {
		got, gerr := up.GetInfo(ctx)
		if gerr != nil {
			return nil, gerr
		}
		c.s.noteCreated(got.ID)
	}
	return up, err
}

// Upload is one upload as the filestore holds it.
type Upload struct {
	ID       string
	Size     int64 // declared length (0 while deferred)
	Offset   int64 // bytes stored, from the data file's size (tusd does not keep it in .info)
	Done     bool  // length known and fully stored
	MetaData map[string]string
	SHA256   string // hex digest of the stored bytes
	Path     string // data file

	SizeIsDeferred bool
	IsPartial      bool
	IsFinal        bool
	PartialUploads []string // IDs, for a final upload
}

// Uploads returns every upload the store holds (terminated ones are gone),
// in creation order.
func (s *Server) Uploads() []Upload {
	s.t.Helper()
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		s.t.Fatalf("tustest: read store: %v", err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".info"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	s.order(ids)
	out := make([]Upload, 0, len(ids))
	for _, id := range ids {
		u, ok := s.readUpload(id)
		if ok {
			out = append(out, u)
		}
	}
	return out
}

// Upload returns the upload with this ID.
func (s *Server) Upload(id string) (Upload, bool) {
	s.t.Helper()
	return s.readUpload(id)
}

// UploadByName returns the newest upload whose MetaData["filename"] is
// filename.
func (s *Server) UploadByName(filename string) (Upload, bool) {
	s.t.Helper()
	all := s.Uploads()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].MetaData["filename"] == filename {
			return all[i], true
		}
	}
	return Upload{}, false
}

// readUpload loads one upload; false if it vanished (terminated meanwhile).
func (s *Server) readUpload(id string) (Upload, bool) {
	s.t.Helper()
	var info handler.FileInfo
	// tusd rewrites .info in place (truncate, write), so a read racing a
	// write can see a partial file; retry briefly.
	for try := 0; ; try++ {
		data, err := os.ReadFile(filepath.Join(s.Dir, id+".info"))
		if errors.Is(err, fs.ErrNotExist) {
			return Upload{}, false
		}
		if err == nil {
			if err = json.Unmarshal(data, &info); err == nil {
				break
			}
		}
		if try == 50 {
			s.t.Fatalf("tustest: read %s.info: %v", id, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	path := info.Storage[filestore.StorageKeyPath]
	if path == "" {
		path = filepath.Join(s.Dir, id)
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Upload{}, false
	}
	if err != nil {
		s.t.Fatalf("tustest: stat upload %s: %v", id, err)
	}
	sum, err := fileSHA256(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Upload{}, false
	}
	if err != nil {
		s.t.Fatalf("tustest: hash upload %s: %v", id, err)
	}
	meta := info.MetaData
	if meta == nil {
		meta = map[string]string{}
	}
	return Upload{
		ID:             info.ID,
		Size:           info.Size,
		Offset:         st.Size(),
		Done:           !info.SizeIsDeferred && st.Size() == info.Size,
		MetaData:       meta,
		SHA256:         sum,
		Path:           path,
		SizeIsDeferred: info.SizeIsDeferred,
		IsPartial:      info.IsPartial,
		IsFinal:        info.IsFinal,
		PartialUploads: info.PartialUploads,
	}, true
}
