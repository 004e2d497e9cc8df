package receiver

import (
	"fmt"
	"net/http"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/ferry-app/ferry/internal/units"
)

// reserve is kept free on the disk beyond what uploads need, for the
// .info files and the system.
const reserve = 1 << 20

// beforeCreate is tusd's PreUploadCreateCallback. A final concatenation may
// name only partial uploads; the file must fit on the disk next to what
// unfinished uploads still expect (507, so the client does not retry
// blindly); the client learns when an idle upload expires; and the upload
// gets the client's id if it named one (the store refuses it if taken).
func (s *Server) beforeCreate(ev handler.HookEvent) (handler.HTTPResponse, handler.FileInfoChanges, error) {
	info := ev.Upload
	var changes handler.FileInfoChanges
	if req := requestOf(ev.Context); req != nil {
		changes.ID = req.id
	}
	for _, id := range info.PartialUploads {
		up, err := s.store.GetUpload(ev.Context, id)
		if err != nil {
			return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
		}
		if pi, err := up.GetInfo(ev.Context); err != nil || !pi.IsPartial {
			return handler.HTTPResponse{}, handler.FileInfoChanges{}, errNotPart
		}
	}
	if !info.SizeIsDeferred && info.Size > 0 {
		if free, err := freeSpace(s.work); err == nil {
			owed := s.track.owed(s.work)
			if info.Size+owed+reserve > free {
				avail := max(free-owed-reserve, 0)
				s.logf("refused %s (%s): not enough space, %s free for it", label(info), units.Size(info.Size), units.Size(avail))
				return handler.HTTPResponse{}, handler.FileInfoChanges{}, handler.NewError("ERR_NOT_ENOUGH_SPACE",
					fmt.Sprintf("not enough space on the receiver: the file needs %s and %s is free", units.Size(info.Size), units.Size(avail)),
					http.StatusInsufficientStorage)
			}
		}
	}
	requestOf(ev.Context).expires(s.expireIdle)
	return handler.HTTPResponse{}, changes, nil
}
