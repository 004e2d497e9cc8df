// Package endsession tells Ferry's window that the session is ending (log
// off, shut down, restart) on Windows, in time to save its queue. Windows
// tells a GUI program so with WM_QUERYENDSESSION and WM_ENDSESSION, sent
// to its top-level windows, not with the console events Go turns into
// signals (those reach console programs only), and ends the process as
// soon as WM_ENDSESSION is answered. On Unix the session's end is SIGTERM,
// which Ferry already takes; there Notify does nothing.
package endsession

import "time"

// Grace bounds how long the end of a session waits for quit: Windows
// itself ends a program that takes more than 5 seconds.
const Grace = 4 * time.Second

// Notify calls quit when the session ends, and answers Windows only once
// quit has returned (or after Grace). stop undoes it.
func Notify(quit func()) (stop func()) { return notify(quit) }
