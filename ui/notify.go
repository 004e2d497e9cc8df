package ui

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/ferry-app/ferry/engine"
)

// notifier sends one notification when a batch ends: a batch begins when
// files are left to upload and ends when none are, however many files it
// held (one notification for many). It sees events on the pump goroutine.
type notifier struct {
	w     *Window
	busy  bool
	start engine.Totals // counts when the batch began
	send  func(title, body string)
}

func newNotifier(w *Window) *notifier {
	n := &notifier{w: w}
	n.send = func(title, body string) {
		w.post(func() {
			if w.prefs.Notifications {
				w.app.SendNotification(fyne.NewNotification(title, body))
			}
		})
	}
	return n
}

func (n *notifier) event(ev engine.Event) {
	if ev.Type != engine.TotalsChanged {
		return
	}
	t := ev.Totals
	switch {
	case !n.busy && t.FilesLeft > 0:
		n.busy, n.start = true, t
	case n.busy && t.FilesLeft == 0:
		n.busy = false
		done := max(t.Count(engine.Done)-n.start.Count(engine.Done), 0)
		failed := max(t.Count(engine.Failed)-n.start.Count(engine.Failed), 0)
		if title, body := batchNote(done, failed); title != "" {
			n.send(title, body)
		}
	}
}

// batchNote words the end of a batch; "" when nothing finished (all
// were cancelled or removed).
func batchNote(done, failed int) (title, body string) {
	switch {
	case failed > 0 && done > 0:
		return fmt.Sprintf("%s failed", plural(failed, "upload")),
			fmt.Sprintf("%s uploaded; %s failed. Open Ferry to see why.", plural(done, "file"), plural(failed, "file"))
	case failed > 0:
		return fmt.Sprintf("%s failed", plural(failed, "upload")), "Open Ferry to see why."
	case done > 0:
		return "Uploads finished", fmt.Sprintf("%s uploaded.", plural(done, "file"))
	}
	return "", ""
}
