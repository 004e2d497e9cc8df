package main

import (
	"net"
	"net/http"
)

// holdServer accepts every request and answers none until closed.
type holdServer struct {
	URL  string
	srv  *http.Server
	done chan struct{}
}

func startHold() (*holdServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &holdServer{URL: "http://" + ln.Addr().String() + "/files/", done: make(chan struct{})}
	h.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-h.done:
		case <-r.Context().Done():
		}
	})}
	go h.srv.Serve(ln)
	return h, nil
}

func (h *holdServer) Close() {
	close(h.done)
	h.srv.Close()
}
