package ui

// background runs work off the UI goroutine (it may wait for the disk, the
// network or another program) and then, with its error, on the UI
// goroutine in the next frame. Every goroutine of the window comes back
// this way, never by fyne.Do, whose test driver runs it on the caller's
// goroutine; tests drive frames themselves. Close waits for work under
// way.
func (w *Window) background(work func() error, then func(error)) {
	w.busy.Add(1)
	go func() {
		defer w.busy.Done()
		err := work()
		w.post(func() { then(err) })
	}()
}

// offUI is how a dialog runs work off the UI goroutine: the window's
// background, or in a dialog's own tests, one that waits for the work.
type offUI func(work func() error, then func(error))
