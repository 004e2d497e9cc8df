package crash

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// osDetails is Windows' version and build (11 reports itself as 10.0,
// build 22000 or later).
func osDetails() string {
	v := windows.RtlGetVersion()
	return fmt.Sprintf("Windows %d.%d build %d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
}
