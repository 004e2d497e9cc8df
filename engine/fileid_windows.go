package engine

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// fileID is the file's volume serial and file index: a file replaced by
// another of the same name, size and mtime has another.
func fileID(f *os.File, _ os.FileInfo) string {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return ""
	}
	return fmt.Sprintf("%x:%x%08x", info.VolumeSerialNumber, info.FileIndexHigh, info.FileIndexLow)
}
