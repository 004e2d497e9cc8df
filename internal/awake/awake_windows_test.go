package awake

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/ferry-app/ferry/internal/wine"
)

// systemExecutionState asks Windows which requests hold the machine now
// (CallNtPowerInformation's SystemExecutionState), from any program.
func systemExecutionState(t *testing.T) uint32 {
	t.Helper()
	var state uint32
	r, _, _ := windows.NewLazySystemDLL("powrprof.dll").NewProc("CallNtPowerInformation").Call(
		16, 0, 0, uintptr(unsafe.Pointer(&state)), unsafe.Sizeof(state))
	if r != 0 {
		t.Fatalf("CallNtPowerInformation: status %#x", r)
	}
	return state
}

// TestHoldKeepsWindowsAwake: held, Ferry's request is among those Windows
// lists as keeping the machine from sleeping. (Released, it is not; but
// another program may hold one too, so only holding is checked.)
func TestHoldKeepsWindowsAwake(t *testing.T) {
	i := New("Ferry", "Uploading files")
	defer i.Close()
	if err := i.Hold(true); err != nil {
		t.Fatal(err)
	}
	if s := systemExecutionState(t); s&esSystemRequired == 0 {
		wine.Skip(t, "SetThreadExecutionState succeeds but Wine's power information does not show it")
		t.Fatalf("held, yet Windows' execution state is %#x", s)
	}
	if err := i.Hold(false); err != nil {
		t.Fatal(err)
	}
}
