package receiver

import (
	"errors"
	"io/fs"
	"net/http"
	"os"

	"github.com/tus/tusd/v2/pkg/handler"
)

// idHeader lets Ferry's client name an upload at creation (32 lowercase
// hex digits that no one else can guess: the client derives them from its
// job with a key of its own), so it knows the upload's URL before it asks
// and can repeat a creation whose answer, or whose record, was lost
// without making a second upload: the repeat is refused with 409 and the
// client HEADs the URL instead. OPTIONS answers "Ferry-Upload-Id: 1" to say this receiver
// takes such ids.
const idHeader = "Ferry-Upload-Id"

// goneSuffix marks a published upload whose records expired: the empty
// file keeps only its id, for keepGone.
const goneSuffix = ".gone"

// takenMsg follows the code on a line of its own, so a client may compare
// the first line of the body.
const takenMsg = "an upload with this Ferry-Upload-Id exists or existed here; HEAD its URL to learn how much arrived"

var (
	errIDTaken = handler.Error{
		ErrorCode: "ERR_UPLOAD_ID_TAKEN",
		Message:   takenMsg,
		HTTPResponse: handler.HTTPResponse{
			StatusCode: http.StatusConflict,
			Body:       "ERR_UPLOAD_ID_TAKEN\n" + takenMsg + "\n",
			Header:     handler.HTTPHeader{"Content-Type": "text/plain; charset=utf-8"},
		},
	}
	errIDShape = handler.NewError("ERR_INVALID_UPLOAD_ID", "Ferry-Upload-Id must be exactly 32 lowercase hexadecimal digits (a random 128-bit id)", http.StatusBadRequest)
	errIDTwice = handler.NewError("ERR_INVALID_UPLOAD_ID", "Ferry-Upload-Id was sent more than once; send one id", http.StatusBadRequest)
)

// namedID is the id a creation asks for: "" if none.
func namedID(h http.Header) (string, *handler.Error) {
	vals := h.Values(idHeader)
	switch {
	case len(vals) == 0:
		return "", nil
	case len(vals) > 1:
		return "", &errIDTwice
	case !ownID(vals[0]):
		return "", &errIDShape
	}
	return vals[0], nil
}

// namedCreation reads the id a creation asks for ("" if none) and refuses
// one already taken here before anything else is checked: a repeat of a
// creation that published its file must hear 409, not 507 because that
// file now fills the disk.
func (s *Server) namedCreation(r *http.Request) (string, *handler.Error) {
	id, herr := namedID(r.Header)
	if herr != nil || id == "" {
		return "", herr
	}
	taken, err := s.store.taken(id)
	if err != nil {
		var he handler.Error
		errors.As(storeError(err), &he)
		return "", &he
	}
	if taken {
		return "", &errIDTaken
	}
	return id, nil
}

// taken reports whether id is, or was, an upload here: a creation with it
// in progress, or known.
func (st *store) taken(id string) (bool, error) {
	if st.track.creating(id) {
		return true, nil
	}
	return st.known(id)
}

// known reports whether the work folder has any record of id: an
// unfinished or published upload, or a published one whose records
// expired (its .gone marker). An id that cannot be checked counts as known.
func (st *store) known(id string) (bool, error) {
	for _, p := range []string{st.path(id), st.infoPath(id), st.donePath(id), st.gonePath(id)} {
		_, err := os.Lstat(p)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return true, err
		}
	}
	return false, nil
}

// claim reserves id for one creation, which must call release when it has
// made the upload or given up: of two creations with one id, exactly one
// gets through.
func (st *store) claim(id string) error {
	if !st.track.reserve(id) {
		return errIDTaken
	}
	known, err := st.known(id)
	if err == nil && !known {
		return nil
	}
	st.track.release(id)
	if err != nil {
		return storeError(err)
	}
	return errIDTaken
}

// forget drops the records of a published upload but keeps its id in a
// .gone marker, so a late repeat of its creation still cannot make the
// file a second time. Without the marker the records stay.
func (st *store) forget(id string) error {
	f, err := os.OpenFile(st.gonePath(id), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	return st.remove(id)
}
