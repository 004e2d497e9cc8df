package receiver

import (
	"github.com/tus/tusd/v2/pkg/handler"
)

// reserve is kept free on the disk beyond what uploads need, for the
// .info files and the system.
const reserve = 1 << 20

// beforeCreate is tusd's PreUploadCreateCallback. A final concatenation may
// name only partial uploads; the file must be within --max-size (413) and
// fit on the disk next to what unfinished uploads still expect (507, so
// the client does not retry blindly); the client learns when an idle
// upload expires; and the upload gets the client's id if it named one (the
// store refuses it if taken).
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
	// A final concatenation's length is its parts' sum, known only now:
	// it is checked, as every other length, before a byte is assembled.
	if !info.SizeIsDeferred && info.Size > 0 {
		if err := s.store.refuseLength(info, info.Size, 0); err != nil {
			return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
		}
	}
	requestOf(ev.Context).expires(s.expireIdle)
	return handler.HTTPResponse{}, changes, nil
}
