package console

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParent is ATTACH_PARENT_PROCESS: the console of the process that
// started this one.
const attachParent = ^uintptr(0)

// Attach points standard output, error and input that lead nowhere (a GUI
// program's) at the parent's console, if it has one; those redirected to a
// file or a pipe stay as they are.
func Attach() {
	out, errOut, in := missing(windows.STD_OUTPUT_HANDLE), missing(windows.STD_ERROR_HANDLE), missing(windows.STD_INPUT_HANDLE)
	if !out && !errOut && !in {
		return
	}
	if r, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParent); r == 0 {
		return // started from the Start menu or Explorer: no console, none wanted
	}
	if out || errOut {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			if out {
				os.Stdout = f
			}
			if errOut {
				os.Stderr = f
			}
		}
	}
	if in {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// missing: the standard handle leads nowhere.
func missing(which uint32) bool {
	h, err := windows.GetStdHandle(which)
	return err != nil || h == 0 || h == windows.InvalidHandle
}
