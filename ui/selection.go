package ui

import "slices"

// The selection: rows picked with a click, Ctrl-click (one more or one
// less), Shift-click (a range from the last click) or Ctrl+A (every row
// shown). The model keeps it by job id, so it follows jobs that move;
// a job that goes leaves it.

// pick selects e or not. The tree counts the selected rows of each view,
// so the selection bar's count is O(1); this is O(log n). Caller holds mu.
func (m *model) pick(e *entry, on bool) {
	if e == nil || e.picked == on {
		return
	}
	m.move(e, func() { e.picked = on })
	if on {
		m.sel[e.job.ID] = struct{}{}
	} else {
		delete(m.sel, e.job.ID)
	}
	m.relist, m.urgent = true, true // rows draw the selection
}

// clearPicks empties the selection: O(k log n) for k selected.
func (m *model) clearPicks() {
	for id := range m.sel {
		m.pick(m.byID[id], false)
	}
}

// selectOnly makes id the whole selection (a plain click).
func (m *model) selectOnly(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearPicks()
	m.pick(m.byID[id], true)
	m.anchor = id
	m.relist, m.urgent = true, true
}

// toggle adds id to the selection or takes it out (Ctrl-click).
func (m *model) toggle(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.byID[id]; e != nil {
		m.pick(e, !e.picked)
	}
	m.anchor = id
}

// extend selects the rows from the anchor to id (Shift-click): O(k log n)
// for k rows, a user's action.
func (m *model) extend(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, a := m.byID[id], m.byID[m.anchor]
	if e == nil || !m.shown(e) {
		return
	}
	if a == nil || !m.shown(a) {
		a = e
		m.anchor = id
	}
	c := m.shownIdx()
	from, to := m.tree.rank(c, a), m.tree.rank(c, e)
	if from > to {
		from, to = to, from
	}
	m.clearPicks()
	var rng []*entry // picking moves entries in the tree: find them first
	for i := from; i <= to; i++ {
		rng = append(rng, m.tree.at(c, i))
	}
	for _, x := range rng {
		m.pick(x, true)
	}
}

// selectAll selects every row shown (Ctrl+A): O(n log n), a user's action.
func (m *model) selectAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearPicks()
	c := m.shownIdx()
	var all []*entry
	m.tree.each(func(e *entry) {
		if e.weight()[c] == 1 {
			all = append(all, e)
		}
	})
	for _, e := range all {
		m.pick(e, true)
	}
}

// unselect empties the selection.
func (m *model) unselect() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearPicks()
	m.anchor = ""
}

// selected is how many selected rows are shown: O(1).
func (m *model) selected() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tree.total(2*int(numViews) + int(m.view))
}

func (m *model) isSelected(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, on := m.sel[id]
	return on
}

// selection is the selected jobs that are shown, in the list's order.
// Jobs selected in another view or hidden by the search are left out:
// what a key or a button acts on is what the user sees selected.
func (m *model) selection() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.sel))
	c := m.shownIdx()
	if len(m.sel) < 64 { // few: their places, not a walk
		rank := map[string]int{}
		for id := range m.sel {
			if e := m.byID[id]; e != nil && m.shown(e) {
				rank[id] = m.tree.rank(c, e)
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b string) int { return rank[a] - rank[b] })
		return ids
	}
	m.tree.each(func(e *entry) {
		if _, on := m.sel[e.job.ID]; on && e.weight()[c] == 1 {
			ids = append(ids, e.job.ID)
		}
	})
	return ids
}

// moveSelection selects the row above (-1) or below (+1) the last one
// clicked, for the arrow keys; it returns the row, -1 when none.
func (m *model) moveSelection(step int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.shownIdx()
	n := m.tree.total(c)
	if n == 0 {
		return -1
	}
	i := 0
	if a := m.byID[m.anchor]; a != nil && m.shown(a) {
		i = min(max(m.tree.rank(c, a)+step, 0), n-1)
	} else if step < 0 {
		i = n - 1
	}
	e := m.tree.at(c, i)
	m.clearPicks()
	m.pick(e, true)
	m.anchor = e.job.ID
	return i
}
