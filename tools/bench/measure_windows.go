package main

import (
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// psapi's GetProcessMemoryInfo is not in x/sys/windows.
var procGetProcessMemoryInfo = windows.NewLazySystemDLL("psapi.dll").NewProc("GetProcessMemoryInfo")

// processMemoryCounters is PROCESS_MEMORY_COUNTERS.
type processMemoryCounters struct {
	cb                         uint32
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// watch opens a handle of its own to the child right after Start: Wait
// releases os.Process's handle, and the peak working set is only readable
// through a handle. Ours keeps the exited process object alive until read.
func watch(p *os.Process) func(*os.ProcessState) usage {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_INFORMATION|windows.PROCESS_VM_READ, false, uint32(p.Pid))
	if err != nil {
		h, err = windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(p.Pid))
	}
	return func(ps *os.ProcessState) usage {
		var u usage
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru != nil {
			u.cpu = filetimeSpan(ru.KernelTime) + filetimeSpan(ru.UserTime)
		}
		if err != nil {
			return u // no handle: peak RSS reads 0
		}
		defer windows.CloseHandle(h)
		var mc processMemoryCounters
		mc.cb = uint32(unsafe.Sizeof(mc))
		if r, _, _ := procGetProcessMemoryInfo.Call(uintptr(h), uintptr(unsafe.Pointer(&mc)), uintptr(mc.cb)); r != 0 {
			u.peakRSS = int64(mc.PeakWorkingSetSize)
		}
		return u
	}
}

// filetimeSpan reads a FILETIME holding a duration (100 ns ticks).
// syscall.Filetime.Nanoseconds would subtract the 1601 epoch.
func filetimeSpan(ft syscall.Filetime) time.Duration {
	return time.Duration(int64(ft.HighDateTime)<<32|int64(ft.LowDateTime)) * 100
}
