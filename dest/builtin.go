package dest

import (
	"os"
	"path/filepath"

	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/localfile"
)

// KindBuiltin is Ferry's own receiver, on loopback: files land in a
// folder of this computer, and no account is needed.
const KindBuiltin Kind = "builtin"

func init() {
	register(&Provider{
		Kind:  KindBuiltin,
		Rank:  50,
		Label: "Built-in receiver on this computer",
		Short: "built-in receiver",
		About: "Ferry receives the files itself, on this computer; no account needed.",
		Fields: []Field{
			{Slot: SlotFolder, Label: "Folder", Help: "Received files land here. Only this computer can send to it.",
				Missing: "Choose the folder where received files land."},
		},
		Where:        func(d Destination) string { return "Ferry's built-in receiver on this computer, into " + d.Dir },
		Check:        func(d Destination) error { return CheckURL(d.URL) },
		Test:         testFolder,
		NamesUploads: true,
		Served:       true,
	})
}

// testFolder writes a file into the receive folder and deletes it.
func testFolder(_ *Probe, d Destination) error {
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return localfile.Error(d.Dir, err)
	}
	f, err := os.CreateTemp(d.Dir, ".ferry-test-*")
	if err != nil {
		return fault.Wrap(fault.CodeFileUnreadable, err, "Cannot write into %s: %s.", d.Dir, fault.Cause(err))
	}
	cerr := f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return fault.Wrap(fault.CodeFileUnreadable, err, "Ferry can write into %s but cannot delete from it (%s); its test file %s is left there. Check the folder's permissions.", d.Dir, fault.Cause(err), filepath.Base(f.Name()))
	}
	if cerr != nil {
		return fault.Wrap(fault.CodeFileUnreadable, cerr, "Cannot write into %s: %s.", d.Dir, fault.Cause(cerr))
	}
	return nil
}
