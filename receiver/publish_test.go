package receiver

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-app/ferry/internal/wine"
)

// published checks that dir holds exactly one file, name, with data, and
// that the work folder keeps no copy of it.
func published(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if got := visible(t, dir); len(got) != 1 || got[0] != name {
		t.Fatalf("receive folder holds %q, want just %s", got, name)
	}
	sameContent(t, filepath.Join(dir, name), data)
	if n := workBytes(t, dir); n > 4<<10 {
		t.Fatalf("the work folder still holds %d bytes", n)
	}
}

// TestMarkerThatCannotBeWrittenPublishesNothing: when the decision cannot
// be recorded (here its place is taken by a folder, as a full disk or a
// lack of inodes would refuse it), no file appears and the data stays;
// once it can be, the next HEAD publishes it once, and a restart adds
// nothing.
func TestMarkerThatCannotBeWrittenPublishesNothing(t *testing.T) {
	dir := wine.TempDir(t)
	_, files := newTestCfg(t, Config{Dir: dir})
	data := randBytes(64 << 10)
	loc := create(t, files, map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": meta("filename", "take.mov")})
	id := loc[strings.LastIndex(loc, "/")+1:]
	blocker := filepath.Join(dir, WorkDirName, id+doneSuffix)
	if err := os.Mkdir(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	resp, body := send(t, "PATCH", loc, map[string]string{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, strings.NewReader(string(data)))
	if resp.StatusCode < 500 {
		t.Fatalf("the last PATCH with the marker refused: %d %q", resp.StatusCode, body)
	}
	for range 3 {
		head(t, loc) // each look tries again, and fails again
	}
	if got := visible(t, dir); len(got) != 0 {
		t.Fatalf("published without a decision: %q", got)
	}
	os.Remove(blocker)
	if status, off, _ := head(t, loc); status != http.StatusOK || off != strconv.Itoa(len(data)) {
		t.Fatalf("HEAD once the marker can be written: %d offset %s", status, off)
	}
	head(t, loc)
	published(t, dir, "take.mov", data)
	newTest(t, dir, nil) // a restart
	published(t, dir, "take.mov", data)
}

// TestKilledWhilePublishing: Ferry's receiver killed (the process, as
// SIGKILL does) after each step of publishing; started again, it finishes
// what was decided: one file, its bytes, no copy left in the work folder.
func TestKilledWhilePublishing(t *testing.T) {
	if os.Getenv("FERRY_RECEIVER_KILL_AT") != "" {
		return // the helper's own run (see killedReceiver)
	}
	for _, step := range []string{"decided", "linked"} {
		t.Run(step, func(t *testing.T) {
			dir := wine.TempDir(t)
			files, done := killedReceiver(t, dir, step)
			data := randBytes(256 << 10)
			loc := create(t, files, map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": meta("filename", "clip.mp4")})
			req, _ := http.NewRequest("PATCH", loc, strings.NewReader(string(data)))
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("Upload-Offset", "0")
			req.Header.Set("Content-Type", "application/offset+octet-stream")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("the receiver answered %d instead of dying at %q", resp.StatusCode, step)
			}
			<-done
			_, files = newTest(t, dir, nil)
			id := loc[strings.LastIndex(loc, "/")+1:]
			if status, off, _ := head(t, files+id); status != http.StatusOK || off != strconv.Itoa(len(data)) {
				t.Fatalf("HEAD after the restart: %d offset %s", status, off)
			}
			published(t, dir, "clip.mp4", data)
		})
	}
}

// killedReceiver runs a receiver on dir in a child process (this test
// binary) that kills itself at the publishing step; it returns its /files/
// URL and a channel closed once it is dead.
func killedReceiver(t *testing.T, dir, step string) (string, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReceiverKilledAt$")
	cmd.Env = append(os.Environ(), "FERRY_RECEIVER_KILL_AT="+step, "FERRY_RECEIVER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var url string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the helper receiver did not start")
	}
	done := make(chan struct{})
	go func() {
		for sc.Scan() {
		}
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	return url, done
}

// TestHelperReceiverKilledAt is killedReceiver's child.
func TestHelperReceiverKilledAt(t *testing.T) {
	step := os.Getenv("FERRY_RECEIVER_KILL_AT")
	if step == "" {
		t.Skip("run by TestKilledWhilePublishing")
	}
	s, err := New(Config{Dir: os.Getenv("FERRY_RECEIVER_DIR"), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	s.store.stopAt = func(at string) bool {
		if at == step {
			p, _ := os.FindProcess(os.Getpid())
			p.Kill() // SIGKILL; TerminateProcess on Windows
			select {}
		}
		return false
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("URL " + s.URL() + "\n")
	select {} // until killed at the step, or by the test's clean-up

}

// TestKilledWhileAssembling: killed while joining the parts of a parallel
// upload (before, after, and half-way through deleting the parts), then
// started again and the final POST retried as a client does: the file is
// there once, whole, and no part or half-joined upload is left.
func TestKilledWhileAssembling(t *testing.T) {
	if os.Getenv("FERRY_RECEIVER_KILL_AT") != "" {
		return
	}
	for _, step := range []string{"assembling", "assembled", "a part removed"} {
		t.Run(step, func(t *testing.T) {
			dir := wine.TempDir(t)
			files, done := killedReceiver(t, dir, step)
			a, b := randBytes(300<<10), randBytes(200<<10)
			var parts []string
			for _, data := range [][]byte{a, b} {
				loc := create(t, files, map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Concat": "partial"})
				patch(t, loc, 0, data)
				parts = append(parts, loc[strings.LastIndex(loc, "/"):])
			}
			final := func(files string) (*http.Response, error) {
				req, _ := http.NewRequest("POST", files, nil)
				req.Header.Set("Tus-Resumable", "1.0.0")
				req.Header.Set("Upload-Concat", "final;/files"+parts[0]+" /files"+parts[1])
				req.Header.Set("Upload-Metadata", meta("filename", "joined.mp4"))
				return http.DefaultClient.Do(req)
			}
			if resp, err := final(files); err == nil {
				resp.Body.Close()
				t.Fatalf("the receiver answered %d instead of dying at %q", resp.StatusCode, step)
			}
			<-done
			_, files = newTest(t, dir, nil)
			resp, err := final(files) // the client's retry
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNotFound {
				t.Fatalf("the retried final POST: %d", resp.StatusCode)
			}
			published(t, dir, "joined.mp4", append(append([]byte{}, a...), b...))
			infos := 0
			for _, f := range workFiles(t, dir) {
				if strings.HasSuffix(f, ".info") {
					infos++
				}
			}
			if infos != 1 { // the joined upload's, which answers HEAD
				t.Fatalf("work folder: %q", workFiles(t, dir))
			}
		})
	}
}
