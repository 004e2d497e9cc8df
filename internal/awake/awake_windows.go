package awake

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/windows"
)

const (
	esContinuous     = 0x80000000
	esSystemRequired = 0x00000001
)

var setThreadExecutionState = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadExecutionState")

// platform owns one OS thread: SetThreadExecutionState holds for the
// thread that called it, and Go moves goroutines between threads, so
// every change is made by one goroutine locked to its thread.
type platform struct {
	req chan bool
	res chan error
}

func (p *platform) take(app, reason string) error {
	if p.req == nil {
		p.req, p.res = make(chan bool), make(chan error)
		go serve(p.req, p.res)
	}
	p.req <- true
	if err := <-p.res; err != nil {
		return fmt.Errorf("Cannot keep the computer awake: Windows refused (%w)", err)
	}
	return nil
}

func (p *platform) release() error {
	if p.req == nil {
		return nil
	}
	p.req <- false
	if err := <-p.res; err != nil {
		return fmt.Errorf("Could not let the computer sleep again: Windows refused (%w)", err)
	}
	return nil
}

// close ends the thread; Windows clears the state of an ended thread.
func (p *platform) close() {
	if p.req != nil {
		close(p.req)
		p.req, p.res = nil, nil
	}
}

// serve sets the thread's execution state for each request. It never
// unlocks the thread: when it returns, the runtime ends the thread too.
func serve(req <-chan bool, res chan<- error) {
	runtime.LockOSThread()
	for on := range req {
		flags := uintptr(esContinuous)
		if on {
			flags |= esSystemRequired
		}
		if err := setThreadExecutionState.Find(); err != nil {
			res <- err
			continue
		}
		r, _, err := setThreadExecutionState.Call(flags)
		if r == 0 {
			res <- err
			continue
		}
		res <- nil
	}
}
