//go:build linux

package main

// What the window is given: a folder of small files, a queue of jobs for
// them made with the engine as a library, and big sparse files.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
)

// makeSmall writes n files of size bytes (each different) into dir.
func makeSmall(dir string, n, size int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatalf("%v", err)
	}
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte('a' + i%26)
	}
	for i := range n {
		copy(buf, fmt.Sprintf("file %06d\n", i))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%06d.dat", i)), buf, 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}

// makeSparse makes a file of size bytes with no blocks on disk: reading
// it costs no disk, so the upload's own work is what is measured.
func makeSparse(path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		fatalf("%v", err)
	}
	if err := f.Truncate(size); err != nil {
		fatalf("%v", err)
	}
	if err := f.Close(); err != nil {
		fatalf("%v", err)
	}
}

// closedPort is a loopback port nothing listens on (it was free a moment ago).
func closedPort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatalf("%v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// makeQueue fills dataDir with a paused job per file under dir, going to
// a saved tus destination on a closed loopback port (the window's
// default), and says how many jobs it holds in which state.
func makeQueue(dataDir, dir string) (int, string) {
	eng, err := engine.Open(engine.Options{DataDir: dataDir})
	if err != nil {
		fatalf("engine.Open %s: %v", dataDir, err)
	}
	defer eng.Close()
	d := engine.Destination{Name: "nowhere", Kind: dest.KindTus, URL: fmt.Sprintf("http://127.0.0.1:%d/files/", closedPort())}
	if err := eng.SaveDestination(d, nil); err != nil {
		fatalf("SaveDestination: %v", err)
	}
	if err := eng.SetDefaultDestination(d.Name); err != nil {
		fatalf("SetDefaultDestination: %v", err)
	}
	n := 0
	for _, a := range eng.AddMany([]string{dir}, engine.Destination{Name: d.Name}) {
		if a.Err != nil {
			fatalf("AddMany %s: %v", a.Path, a.Err)
		}
		n++
	}
	eng.PauseAll() // the few that started (connection refused) stop too
	t := eng.Totals()
	var states []string
	for s := engine.Queued; s <= engine.Cancelled; s++ {
		if c := t.Count(s); c > 0 {
			states = append(states, fmt.Sprintf("%d %s", c, s))
		}
	}
	if err := eng.Close(); err != nil {
		fatalf("engine Close: %v", err)
	}
	return n, strings.Join(states, ", ")
}
