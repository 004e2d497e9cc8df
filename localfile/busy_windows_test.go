package localfile

import (
	"os"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/internal/tustest"
)

// TestBusyWhileAnotherProgramWrites: a file open for writing (an export
// still running) is busy, whether its writer shares reading or not; one
// open for reading only, as Ferry opens it, is not.
func TestBusyWhileAnotherProgramWrites(t *testing.T) {
	path, _ := tustest.RandomFile(t, "", "export.mp4", 4<<10, 1)
	if Busy(path) {
		t.Fatal("busy with no one holding it")
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if Busy(path) {
		t.Fatal("busy while only read")
	}
	r.Close()

	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // shares reading
	if err != nil {
		t.Fatal(err)
	}
	if !Busy(path) {
		t.Fatal("not busy while open for writing")
	}
	w.Close()
	if Busy(path) {
		t.Fatal("still busy once closed")
	}

	// An exporter that shares nothing: the file cannot even be opened, and
	// the sentence says why and that Ferry waits (transient).
	p16, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(p16, windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(h)
	if !Busy(path) {
		t.Fatal("not busy while held exclusively")
	}
	_, err = Open(path)
	e := Error(path, err)
	if fault.CodeOf(e) != fault.CodeFileBusy || fault.KindOf(e) != fault.Transient || e.Error() != path+" is open in another program; Ferry sends it once that program closes it." {
		t.Fatalf("%v (%q, kind %d)", e, fault.CodeOf(e), fault.KindOf(e))
	}
}
