// Package control lets a second Ferry talk to the one that holds the
// queue: bbolt's lock lets one process open the database, so "ferry
// queue" and "ferry pause ID" ask the running Ferry (an upload, a watch,
// the window) over a socket in the data dir instead of failing with
// "already running".
//
// The socket is a Unix domain socket (Windows 10 has them too) in the data
// dir, which only its owner can enter (0700), so the socket needs no token.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// SocketName is the socket's name inside the data dir (on Windows a
// named pipe stands in for it: listen_windows.go).
const SocketName = "ferry.sock"

// Ops are the commands a client may send.
var ops = map[string]func(*engine.Engine, ...string) error{
	"pause":  (*engine.Engine).Pause,
	"resume": (*engine.Engine).Resume,
	"cancel": (*engine.Engine).Cancel,
	"retry":  (*engine.Engine).Retry,
	"remove": (*engine.Engine).Remove,
}

// Command is a request to run an engine command on jobs.
type Command struct {
	Op  string   `json:"op"`
	IDs []string `json:"ids"`
}

// reply is an answer's error, its code with it: a command the running
// Ferry refused fails here as it would have there.
type reply struct {
	Error string     `json:"error,omitempty"`
	Code  fault.Code `json:"code,omitempty"`
}

// replyOf is err as it travels; the zero reply for nil.
func replyOf(err error) reply {
	if err == nil {
		return reply{}
	}
	return reply{Error: err.Error(), Code: fault.CodeOf(err)}
}

// err is the error the reply carries, nil if none.
func (r reply) err() error {
	if r.Error == "" {
		return nil
	}
	return &fault.Error{Kind: fault.Permanent, Code: r.Code, Msg: r.Error}
}

// Serve answers other Ferry processes until the returned stop is called;
// a Ferry without a window serves this way.
func Serve(eng *engine.Engine) (stop func()) { return ServeFront(eng, nil) }

// ServeFront is Serve for a Ferry with a window: f (nil: none) shows it
// and takes files from a second `ferry`. It is best effort: where the
// socket cannot be made (a data dir path too long for a socket name),
// others are told Ferry is running, as before.
func ServeFront(eng *engine.Engine, f Front) (stop func()) {
	ln, cleanup, err := listen(eng.DataDir())
	if err != nil {
		return func() {}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /snapshot", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(eng.Snapshot())
	})
	mux.HandleFunc("POST /command", func(w http.ResponseWriter, r *http.Request) {
		var c Command
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&c); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(reply{Error: "The running Ferry could not read the command.", Code: fault.CodeUsage})
			return
		}
		fn, ok := ops[c.Op]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(reply{Error: fmt.Sprintf("The running Ferry knows no command %q; it may be older than this one.", c.Op), Code: fault.CodeUsage})
			return
		}
		json.NewEncoder(w).Encode(replyOf(fn(eng, c.IDs...)))
	})
	frontRoutes(mux, f)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		cleanup()
	}
}

// ErrNoServer: no running Ferry answers on the data dir's socket.
var ErrNoServer = fault.New(fault.CodeNoServer, "No running Ferry answers.")

// noServer is ErrNoServer with why the socket did not answer.
func noServer(cause error) error {
	return &fault.Error{Kind: fault.Permanent, Code: fault.CodeNoServer, Msg: ErrNoServer.Msg, Err: errors.Join(ErrNoServer, cause)}
}

// unreadable is an answer this Ferry cannot read.
func unreadable(cause error) error {
	return fault.Wrap(fault.CodeNoServer, cause, "The running Ferry sent an answer this one cannot read; quit it and start Ferry again.")
}

func client(dataDir string) *http.Client { return clientFor(dataDir, 30*time.Second) }

// clientFor is a client of the data dir's socket whose requests give up
// after timeout.
func clientFor(dataDir string, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx, dataDir) },
	}}
}

// Snapshot asks the running Ferry for its queue.
func Snapshot(dataDir string) (engine.Snapshot, error) {
	var s engine.Snapshot
	res, err := client(dataDir).Get("http://ferry/snapshot")
	if err != nil {
		return s, noServer(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return s, unreadable(err)
	}
	return s, nil
}

// Do asks the running Ferry to run a command on jobs.
func Do(dataDir string, c Command) error {
	b, _ := json.Marshal(c)
	res, err := client(dataDir).Post("http://ferry/command", "application/json", bytes.NewReader(b))
	if err != nil {
		return noServer(err)
	}
	defer res.Body.Close()
	var rep reply
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		return unreadable(err)
	}
	return rep.err()
}
