package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// jsonLines reads --json output: one object per line.
func jsonLines(t *testing.T, out string) []resultLine {
	t.Helper()
	var lines []resultLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var r resultLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, r)
	}
	return lines
}

// A job command on a job that is not there answers, with --json, a line
// whose code a program can act on, and still exits 2 with the sentence.
func TestJobCommandOnAMissingJobGivesItsCode(t *testing.T) {
	data := wine.TempDir(t)
	for _, op := range []string{"pause", "cancel", "retry", "remove"} {
		r := ferry(t, op, "--json", "--data-dir", data, "nosuchjob")
		lines := jsonLines(t, r.stdout)
		if r.code != 2 || len(lines) != 1 || lines[0].ErrorCode != fault.CodeNoJob || !strings.Contains(lines[0].Error, "no job in the queue is nosuchjob") ||
			!strings.Contains(r.stderr, "no job in the queue is nosuchjob") {
			t.Fatalf("ferry %s --json nosuchjob: exit %d, stdout %q, stderr %q; want 2 and a line with %q", op, r.code, r.stdout, r.stderr, fault.CodeNoJob)
		}
	}
	if r := ferry(t, "pause", "--json", "--data-dir", data); r.code != 2 || len(jsonLines(t, r.stdout)) != 1 || jsonLines(t, r.stdout)[0].ErrorCode != fault.CodeUsage {
		t.Fatalf("ferry pause --json with no job: exit %d, stdout %q", r.code, r.stdout)
	}
}

// ferry cancel of a job whose file the server holds whole (paused before
// it heard so) keeps the upload and says where the file is; a pause of
// that done job is refused with its code.
func TestCancelOfAnArrivedFileSaysWhereItIs(t *testing.T) {
	arrived := make(chan string, 1)
	release := make(chan struct{})
	srv := tustest.New(t, tustest.WithMiddleware(tustest.AnswerHeld(arrived, release)))
	t.Cleanup(func() { close(release) })
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "kept.mp4", 2<<20+9, 3)
	data := wine.TempDir(t)
	eng, err := engine.Open(engine.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	eng.Start()
	j, err := eng.Add(p, engine.Destination{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("no PATCH reached the server: %v", srv.Requests())
	}
	if err := eng.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}

	r := ferry(t, "cancel", "--json", "--data-dir", data, j.ID)
	lines := jsonLines(t, r.stdout)
	up, ok := srv.UploadByName("kept.mp4")
	if r.code != 0 || len(lines) != 1 || lines[0].State != "done" || lines[0].URL == "" || !strings.HasSuffix(lines[0].URL, "/"+up.ID) {
		t.Fatalf("ferry cancel --json: exit %d, %+v (stderr %q); want the job done at the upload %s", r.code, lines, r.stderr, up.ID)
	}
	if !ok || !up.Done || up.SHA256 != sha || srv.Terminated() != 0 || srv.Created() != 1 {
		t.Fatalf("server: %+v, %d terminated, %d created; want the whole file kept, one upload", up, srv.Terminated(), srv.Created())
	}
	r = ferry(t, "pause", "--json", "--data-dir", data, j.ID)
	if lines := jsonLines(t, r.stdout); r.code != 1 || len(lines) != 1 || lines[0].ErrorCode != fault.CodeWrongState {
		t.Fatalf("ferry pause of a done job: exit %d, stdout %q; want 1 and %q", r.code, r.stdout, fault.CodeWrongState)
	}
	r = ferry(t, "cancel", "--data-dir", data, j.ID)
	if r.code != 1 || !strings.Contains(r.stderr, "had already arrived at "+lines[0].URL) {
		t.Fatalf("ferry cancel of a done job: exit %d, stderr %q; want 1 and where it is", r.code, r.stderr)
	}
}

// A cancel handed to a running ferry upload, of a file its server holds
// whole while the answer has not come: the upload command says the file
// arrived, with its URL, and exits 0; nothing is deleted.
func TestCancelThroughARunningFerryOfAnArrivedFile(t *testing.T) {
	arrived := make(chan string, 1)
	release := make(chan struct{})
	srv := tustest.New(t, tustest.WithMiddleware(tustest.AnswerHeld(arrived, release)))
	t.Cleanup(func() { close(release) })
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "kept.mp4", 2<<20+9, 4)
	data := wine.TempDir(t)
	cmd, out := startFerry(t, "upload", "--data-dir", data, "--to", srv.URL, p)
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("no PATCH reached the server: %v", srv.Requests())
	}
	if r := ferry(t, "cancel", "--data-dir", data, p); r.code != 0 {
		t.Fatalf("ferry cancel: exit %d %s", r.code, r.stderr)
	}
	err := cmd.Wait()
	up, ok := srv.UploadByName("kept.mp4")
	if err != nil || !ok || !strings.Contains(out.String(), "done") || !strings.Contains(out.String(), up.ID) {
		t.Fatalf("ferry upload: %v\n%s\nwant exit 0 and the file done at its upload", err, out)
	}
	if !up.Done || up.SHA256 != sha || srv.Terminated() != 0 || srv.Created() != 1 {
		t.Fatalf("server: %+v, %d terminated, %d created; want the whole file kept, one upload", up, srv.Terminated(), srv.Created())
	}
}
