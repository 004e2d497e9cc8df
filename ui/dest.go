package ui

import (
	"fmt"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
)

// manageLabel is the selector's last entry: it opens the dialog.
const manageLabel = "Manage destinations…"

// thisRun labels a URL given with --to: used this run, never saved.
func thisRun(d engine.Destination) string { return dest.RedactURL(d.URL) + " (this run)" }

// refreshDests fills the destination selector: saved destinations, the
// run's URL if --to gave one, and the way to manage them.
func (w *Window) refreshDests() {
	var names []string
	for _, d := range w.eng.Destinations() {
		names = append(names, d.Name)
	}
	if w.opts.Dest.Name == "" && w.opts.Dest.URL != "" {
		names = append(names, thisRun(w.opts.Dest))
	}
	names = append(names, manageLabel)
	w.dest.SetOptions(names)
	sel := w.opts.Dest.Name
	switch {
	case w.opts.Dest.URL != "" && sel == "":
		sel = thisRun(w.opts.Dest)
	case sel == "":
		sel = w.eng.DefaultDestination()
	}
	w.setSelected(sel)
}

// setSelected shows sel in the selector without acting on it.
func (w *Window) setSelected(sel string) {
	f := w.dest.OnChanged
	w.dest.OnChanged = nil
	w.dest.SetSelected(sel)
	w.dest.OnChanged = f
}

// destChosen: the user picked in the selector. A saved destination
// becomes the default (it is where the next drop goes, next start too).
func (w *Window) destChosen(sel string) {
	switch {
	case sel == manageLabel:
		w.refreshDests() // the selection goes back to what it was
		w.manageDestinations("")
		return
	case w.opts.Dest.URL != "" && sel == thisRun(w.opts.Dest):
	default:
		w.opts.Dest = engine.Destination{}
		if err := w.eng.SetDefaultDestination(sel); err != nil {
			w.showError(err)
		}
		if w.opts.NeedDest != nil {
			if err := w.opts.NeedDest(sel); err != nil {
				w.showError(err)
			}
		}
	}
	w.showWhere()
}

// target is where added files go now.
func (w *Window) target() (engine.Destination, error) {
	if w.opts.Dest.URL != "" && w.opts.Dest.Name == "" {
		return w.opts.Dest, nil
	}
	name := w.dest.Selected
	if name == "" || name == manageLabel {
		return engine.Destination{}, fmt.Errorf("Choose where files go first: pick a destination in the selector, or add one with %s", manageLabel)
	}
	if w.opts.NeedDest != nil {
		if err := w.opts.NeedDest(name); err != nil {
			return engine.Destination{}, err
		}
	}
	return engine.Destination{Name: name}, nil
}

// showWhere says under the toolbar where files go and how to change it.
func (w *Window) showWhere() {
	w.where.SetText(whereLine(w.eng, w.dest.Selected, w.opts.Dest))
}

func whereLine(eng *engine.Engine, sel string, run engine.Destination) string {
	if run.URL != "" && run.Name == "" && sel == thisRun(run) {
		return fmt.Sprintf("Files go to %s, for this run only. Pick a saved destination in the selector to change it.", dest.RedactURL(run.URL))
	}
	d, ok := eng.SavedDestination(sel)
	if !ok {
		return "No destination yet: choose " + manageLabel + " in the selector to add one."
	}
	d.Dir = tilde(d.Dir)
	where := d.Where()
	return fmt.Sprintf("Files go to %s — %s. The selector at the top right changes it.", d.Name, where)
}

// manageDestinations opens the destinations dialog, at edit if named.
func (w *Window) manageDestinations(edit string) {
	showDestinations(w.win, w.background, w.eng, edit, w.opts.KeychainNote, func() {
		w.refreshDests()
		w.showWhere()
	})
}
