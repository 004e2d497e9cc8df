package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// Front is what a front-end with a window offers other processes.
type Front interface {
	// Show brings the window forward; it is called on any goroutine.
	Show()
	// Add queues files and folders; dest "" is the window's current
	// destination.
	Add(paths []string, dest string) (queued int, err error)
}

// ErrNoWindow: the running Ferry is a terminal one, with no window to
// show or to take files.
var ErrNoWindow = fault.New(fault.CodeNoWindow, "The running Ferry has no window: it is a ferry upload, resume or serve in a terminal.")

// errOld: the running Ferry predates /show and /add.
var errOld = fault.New(fault.CodeNoWindow, "The running Ferry is an older version that cannot show its window or take files; quit it and start Ferry again.")

// maxAdd bounds a list of paths: 10 000 long paths are a normal drop,
// and 16 MiB holds them many times over.
const maxAdd = 16 << 20

// handTimeout is long: the window may ask the person where files go
// before it answers.
const handTimeout = 10 * time.Minute

type addRequest struct {
	Paths []string `json:"paths"`
	Dest  string   `json:"dest"`
}

type addReply struct {
	Queued int `json:"queued"`
	reply
}

func frontRoutes(mux *http.ServeMux, f Front) {
	mux.HandleFunc("POST /show", func(w http.ResponseWriter, r *http.Request) {
		if f == nil {
			noWindow(w)
			return
		}
		f.Show()
		json.NewEncoder(w).Encode(reply{})
	})
	mux.HandleFunc("POST /add", func(w http.ResponseWriter, r *http.Request) {
		if f == nil {
			noWindow(w)
			return
		}
		var req addRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdd)).Decode(&req); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				json.NewEncoder(w).Encode(addReply{reply: reply{Error: "The list of files is too long to hand over at once (over 16 MiB); add their folder instead.", Code: fault.CodeUsage}})
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(addReply{reply: reply{Error: "The running Ferry could not read the list of files.", Code: fault.CodeUsage}})
			return
		}
		queued, err := f.Add(req.Paths, req.Dest)
		json.NewEncoder(w).Encode(addReply{Queued: queued, reply: replyOf(err)})
	})
}

func noWindow(w http.ResponseWriter) {
	w.WriteHeader(http.StatusConflict)
	json.NewEncoder(w).Encode(replyOf(ErrNoWindow))
}

// Show asks the running Ferry to bring its window forward.
func Show(dataDir string) error {
	var rep reply
	if err := post(clientFor(dataDir, 30*time.Second), "/show", struct{}{}, &rep); err != nil {
		return err
	}
	return rep.err()
}

// Hand gives files and folders (absolute paths) to the running Ferry's
// window, to dest ("" the window's), and says how many it queued.
func Hand(dataDir string, paths []string, dest string) (queued int, err error) {
	var rep addReply
	if err := post(clientFor(dataDir, handTimeout), "/add", addRequest{Paths: paths, Dest: dest}, &rep); err != nil {
		return 0, err
	}
	return rep.Queued, rep.err()
}

// post sends in to the running Ferry and decodes its answer into out; a
// Ferry without a window answers ErrNoWindow.
func post(c *http.Client, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	res, err := c.Post("http://ferry"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return noServer(err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusConflict:
		return ErrNoWindow
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return errOld
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return unreadable(err)
	}
	return nil
}
