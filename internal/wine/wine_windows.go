package wine

import (
	"sync"

	"golang.org/x/sys/windows"
)

// running: Wine's ntdll exports wine_get_version; Windows' does not.
var running = sync.OnceValue(func() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})
