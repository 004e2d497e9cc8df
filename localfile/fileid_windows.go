package localfile

import (
	"fmt"
	"os"
	"unsafe"

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

// changeTime is when the file last changed (FILE_BASIC_INFO's
// ChangeTime, in ns since 1970): an edit anywhere in it moves it, even
// one whose program set the mtime back. 0 where it cannot be read.
func changeTime(f *os.File, _ os.FileInfo) int64 {
	var info fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(windows.Handle(f.Fd()), windows.FileBasicInfo,
		(*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil || info.ChangeTime == 0 {
		return 0
	}
	const epochDiff = 116444736000000000 // 1601 to 1970, in 100 ns
	return (info.ChangeTime - epochDiff) * 100
}

// fileBasicInfo is FILE_BASIC_INFO (times in 100 ns since 1601).
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}
