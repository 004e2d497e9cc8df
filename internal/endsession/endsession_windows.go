package endsession

import (
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

const (
	wmClose           = 0x0010
	wmQueryEndSession = 0x0011
	wmEndSession      = 0x0016
)

var (
	user32          = windows.NewLazySystemDLL("user32.dll")
	registerClassEx = user32.NewProc("RegisterClassExW")
	createWindowEx  = user32.NewProc("CreateWindowExW")
	defWindowProc   = user32.NewProc("DefWindowProcW")
	destroyWindow   = user32.NewProc("DestroyWindow")
	getMessage      = user32.NewProc("GetMessageW")
	dispatchMessage = user32.NewProc("DispatchMessageW")
	postMessage     = user32.NewProc("PostMessageW")
	postQuitMessage = user32.NewProc("PostQuitMessage")
	shutdownReason  = user32.NewProc("ShutdownBlockReasonCreate")
	wndProcCallback = syscall.NewCallback(wndProc)
	className, _    = windows.UTF16PtrFromString("FerryEndSession")
	registerOnce    sync.Once
	registerErr     error
	listener        func()
	listenerMu      sync.Mutex
)

type wndClassEx struct {
	size       uint32
	style      uint32
	wndProc    uintptr
	clsExtra   int32
	wndExtra   int32
	instance   windows.Handle
	icon       windows.Handle
	cursor     windows.Handle
	background windows.Handle
	menuName   *uint16
	className  *uint16
	iconSm     windows.Handle
}

type msg struct {
	hwnd    uintptr
	message uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	pt      struct{ x, y int32 }
	private uint32
}

// notify keeps a hidden top-level window (message-only windows get no
// broadcasts) on a thread of its own, with its own message loop, so that
// the session's end is heard even while the window's main loop is busy.
func notify(quit func()) func() {
	listenerMu.Lock()
	listener = quit
	listenerMu.Unlock()
	hwnd := make(chan uintptr, 1)
	go func() {
		runtime.LockOSThread() // a window belongs to the thread that made it
		registerOnce.Do(func() {
			wc := wndClassEx{wndProc: wndProcCallback, className: className}
			wc.size = uint32(unsafe.Sizeof(wc))
			if r, _, err := registerClassEx.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
				registerErr = err
			}
		})
		if registerErr != nil {
			hwnd <- 0
			return
		}
		title, _ := windows.UTF16PtrFromString("Ferry")
		h, _, _ := createWindowEx.Call(0, uintptr(unsafe.Pointer(className)), uintptr(unsafe.Pointer(title)), 0, 0, 0, 0, 0, 0, 0, 0, 0)
		hwnd <- h
		if h == 0 {
			return
		}
		var m msg
		for {
			if r, _, _ := getMessage.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0); int32(r) <= 0 {
				return
			}
			dispatchMessage.Call(uintptr(unsafe.Pointer(&m)))
		}
	}()
	h := <-hwnd
	return func() {
		listenerMu.Lock()
		listener = nil
		listenerMu.Unlock()
		if h != 0 {
			postMessage.Call(h, wmClose, 0, 0)
		}
	}
}

func wndProc(hwnd, message, wParam, lParam uintptr) uintptr {
	switch message {
	case wmQueryEndSession:
		// Ferry never stands in the session's way: the queue is saved
		// as it goes, and what is cut resumes at the next start.
		return 1
	case wmEndSession:
		if wParam != 0 {
			listenerMu.Lock()
			quit := listener
			listenerMu.Unlock()
			if quit != nil {
				reason, _ := windows.UTF16PtrFromString("Saving the upload queue")
				shutdownReason.Call(hwnd, uintptr(unsafe.Pointer(reason)))
				done := make(chan struct{})
				go func() { quit(); close(done) }()
				select {
				case <-done:
				case <-time.After(Grace):
				}
			}
		}
		return 0
	case wmClose:
		destroyWindow.Call(hwnd)
		postQuitMessage.Call(0)
		return 0
	}
	r, _, _ := defWindowProc.Call(hwnd, message, wParam, lParam)
	return r
}
