package ui

import "time"

// Stats are figures of the window's own work, for make bench: how long
// the UI goroutine kept a frame waiting, and when the list last changed.
type Stats struct {
	Frames   int           `json:"frames"`
	MaxStall time.Duration `json:"max_stall_ns"` // longest wait of a frame for the UI goroutine
	Rows     int           `json:"rows"`         // rows in the list at its last change
	RowsAt   time.Time     `json:"rows_at"`      // when that was
}

// Stats returns the figures so far.
func (w *Window) Stats() Stats {
	w.postMu.Lock()
	defer w.postMu.Unlock()
	return w.stats
}

func (w *Window) noteStall(d time.Duration) {
	w.postMu.Lock()
	w.stats.Frames++
	w.stats.MaxStall = max(w.stats.MaxStall, d)
	w.postMu.Unlock()
}

func (w *Window) noteRows(n int) {
	w.postMu.Lock()
	if n != w.stats.Rows {
		w.stats.Rows, w.stats.RowsAt = n, time.Now()
	}
	w.postMu.Unlock()
}
