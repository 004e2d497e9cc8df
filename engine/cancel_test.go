package engine

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
)

// headUpload asks the server directly what it holds of an upload.
func headUpload(t *testing.T, uploadURL string) (status int, offset, length int64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, uploadURL, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	offset, _ = strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	length, _ = strconv.ParseInt(res.Header.Get("Upload-Length"), 10, 64)
	return res.StatusCode, offset, length
}

// TestCancelAfterArrivalKeepsTheUpload: a job whose upload the server
// holds whole, before the job heard so (still waiting for the answer, or
// paused meanwhile), is cancelled. The upload stays on the server and the
// job ends done, with its URL and a note saying it had arrived; the file
// is known as sent.
func TestCancelAfterArrivalKeepsTheUpload(t *testing.T) {
	t.Run("waiting for the answer", func(t *testing.T) { cancelAfterArrival(t, false) })
	t.Run("paused", func(t *testing.T) { cancelAfterArrival(t, true) })
}

func cancelAfterArrival(t *testing.T, pauseFirst bool) {
	arrived := make(chan string, 1)
	release := make(chan struct{})
	srv := tustest.New(t, tustest.WithMiddleware(tustest.AnswerHeld(arrived, release)))
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	e := newEngine(t)
	e.Start()
	const size = 2<<20 + 3 // above smallFile: a plain creation, then one PATCH
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "whole.mp4", size, 5)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("no PATCH reached the server; requests %v", srv.Requests())
	}
	if pauseFirst {
		if err := e.Pause(j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Cancel(j.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	got := waitFor(t, e, j.ID, 20*time.Second, Done)
	notes := strings.Join(got.Notes, "\n")
	if got.UploadURL == "" || got.Progress() != 1 || !strings.Contains(notes, "arrived whole") {
		t.Fatalf("job: url %q, progress %v, notes %q; want its URL, 1 and a note that it had arrived", got.UploadURL, got.Progress(), notes)
	}
	assertArrived(t, srv, "whole.mp4", sha, 1)
	if status, off, length := headUpload(t, got.UploadURL); status != http.StatusOK || off != size || length != size || srv.Terminated() != 0 {
		t.Fatalf("server: HEAD %d, offset %d of %d, %d terminated; want 200, %d of %d, none", status, off, length, srv.Terminated(), size, size)
	}
	// Its completion is recorded: the file is not sent again.
	again, err := e.Add(p, destOf(srv))
	if err != nil || again.State != Done || again.UploadURL != got.UploadURL {
		t.Fatalf("added again: %s %q, %v; want done at %s", again.State, again.UploadURL, err, got.UploadURL)
	}
	if srv.Created() != 1 {
		t.Fatalf("%d uploads created; want 1", srv.Created())
	}
}

// TestCancelOfADoneJobSaysWhere: cancelling a finished job changes
// nothing and says where the file is, with a code.
func TestCancelOfADoneJobSaysWhere(t *testing.T) {
	srv := tustest.New(t)
	e := newEngine(t)
	e.Start()
	p, sha := tustest.RandomFile(t, wine.TempDir(t), "done.mp4", 300<<10, 6)
	j, err := e.Add(p, destOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	done := waitFor(t, e, j.ID, 20*time.Second, Done)
	err = e.Cancel(j.ID)
	if fault.CodeOf(err) != fault.CodeArrived || !strings.Contains(err.Error(), done.UploadURL) || !strings.Contains(err.Error(), "already arrived") {
		t.Fatalf("Cancel of a done job: %v (code %q); want %q naming %s", err, fault.CodeOf(err), fault.CodeArrived, done.UploadURL)
	}
	if now, _ := e.Job(j.ID); now.State != Done || now.UploadURL != done.UploadURL {
		t.Fatalf("job after the cancel: %s %q", now.State, now.UploadURL)
	}
	assertArrived(t, srv, "done.mp4", sha, 1)
	if status, off, _ := headUpload(t, done.UploadURL); status != http.StatusOK || off != 300<<10 || srv.Terminated() != 0 {
		t.Fatalf("server: HEAD %d, offset %d, %d terminated", status, off, srv.Terminated())
	}
}
