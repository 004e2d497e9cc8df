package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Children are started by a small process of their own, the spawner,
// because on Linux a child's ru_maxrss starts at its parent's peak RSS:
// Go starts children with vfork, and exec records the shared memory's high
// water mark. From the bench itself, which holds tusd and 10 000 uploads,
// /bin/true would "use" 200 MiB. The spawner's few MiB are the floor now.

// spawnReq and spawnResp are the spawner's protocol, one JSON value each
// way per run.
type spawnReq struct{ Argv []string }

type spawnResp struct {
	WallNS int64
	CPUS   float64
	RSSMiB float64
	Err    string
}

// spawner is the running spawner, or nil: then children start from here.
var spawner struct {
	sync.Mutex
	enc *json.Encoder
	dec *json.Decoder
	in  io.Closer
	cmd *exec.Cmd
}

// startSpawner starts self as the spawner, before the bench grows.
func startSpawner(self string) error {
	cmd := exec.Command(self, "spawner")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	spawner.enc, spawner.dec, spawner.in, spawner.cmd = json.NewEncoder(in), json.NewDecoder(out), in, cmd
	return nil
}

// stopSpawner ends the spawner (its stdin closes) and waits for it.
func stopSpawner() {
	if spawner.cmd != nil {
		spawner.in.Close()
		spawner.cmd.Wait()
	}
}

// measure runs argv through the spawner when there is one.
func measure(argv []string) (sample, error) {
	if spawner.cmd == nil {
		return measureHere(argv)
	}
	spawner.Lock()
	defer spawner.Unlock()
	var resp spawnResp
	if err := spawner.enc.Encode(spawnReq{argv}); err != nil {
		return sample{}, fmt.Errorf("spawner: %w", err)
	}
	if err := spawner.dec.Decode(&resp); err != nil {
		return sample{}, fmt.Errorf("spawner: %w", err)
	}
	if resp.Err != "" {
		return sample{}, errors.New(resp.Err)
	}
	wall := time.Duration(resp.WallNS)
	return sample{Wall: wall, WallS: wall.Seconds(), CPUS: resp.CPUS, RSSMiB: resp.RSSMiB}, nil
}

// serveSpawner is the spawner's loop: run each request, answer, until
// stdin closes.
func serveSpawner() error {
	dec, enc := json.NewDecoder(os.Stdin), json.NewEncoder(os.Stdout)
	for {
		var req spawnReq
		if err := dec.Decode(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		var resp spawnResp
		if len(req.Argv) == 0 {
			resp.Err = "no command"
		} else if m, err := measureHere(req.Argv); err != nil {
			resp.Err = err.Error()
		} else {
			resp = spawnResp{WallNS: int64(m.Wall), CPUS: m.CPUS, RSSMiB: m.RSSMiB}
		}
		if err := enc.Encode(resp); err != nil {
			return err
		}
	}
}
