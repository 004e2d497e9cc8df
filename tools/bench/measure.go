package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// sample is one child process run.
type sample struct {
	Wall   time.Duration `json:"-"`
	WallS  float64       `json:"wall_s"`
	MiBps  float64       `json:"mib_per_s"`
	CPUS   float64       `json:"cpu_s"`   // user + sys
	RSSMiB float64       `json:"rss_mib"` // peak resident set
}

// measureHere runs argv to completion and returns its wall time, CPU and
// peak RSS. A non-zero exit is an error carrying the tail of its output.
// Run it from a small process (the spawner): see spawn.go.
func measureHere(argv []string) (sample, error) {
	var out tailBuffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	done := watch(cmd.Process)
	err := cmd.Wait()
	wall := time.Since(start)
	u := done(cmd.ProcessState)
	if err != nil {
		return sample{}, fmt.Errorf("%v\n%s", err, out.String())
	}
	return sample{
		Wall:   wall,
		WallS:  wall.Seconds(),
		CPUS:   u.cpu.Seconds(),
		RSSMiB: float64(u.peakRSS) / (1 << 20),
	}, nil
}

// usage is what the OS tells about a finished child. peakRSS is in bytes;
// 0 where the OS does not say.
type usage struct {
	cpu     time.Duration // user + system
	peakRSS int64
}

// tailBuffer keeps the last 16 KiB written to it, for failure messages.
type tailBuffer struct{ bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.Buffer.Write(p)
	if over := t.Len() - 16<<10; over > 0 {
		t.Next(over)
	}
	return len(p), nil
}

// buildFerry builds ferry from the module root into dir.
func buildFerry(dir string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "ferry")
	logf("building ferry in %s", root)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir, cmd.Stderr = root, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building ferry: %w", err)
	}
	return bin, nil
}
