package ui

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
)

// view is one of the queue's tabs.
type view int

const (
	viewAll view = iota
	viewActive
	viewDone
	viewFailed
	numViews
)

var viewNames = [numViews]string{"All", "Active", "Done", "Failed"}

// in says which views show a job in state s.
func in(s engine.State) [numViews]bool {
	return [numViews]bool{
		viewAll:    true,
		viewActive: s == engine.Queued || s == engine.Uploading || s == engine.Waiting || s == engine.Paused,
		viewDone:   s == engine.Done,
		viewFailed: s == engine.Failed,
	}
}

// sortBy is the queue's order.
type sortBy int

const (
	sortAdded sortBy = iota // newest first
	sortName                // A to Z
	sortSize                // largest first
	sortState               // what needs attention first
	numSorts
)

var sortNames = [numSorts]string{"Newest first", "Name", "Size", "State"}

// stateOrder ranks states for sortState: what needs the user first.
func stateOrder(s engine.State) int {
	switch s {
	case engine.Failed:
		return 0
	case engine.Waiting:
		return 1
	case engine.Uploading:
		return 2
	case engine.Queued:
		return 3
	case engine.Paused:
		return 4
	case engine.Cancelled:
		return 5
	}
	return 6 // done
}

func (s sortBy) less() func(a, b *entry) bool {
	switch s {
	case sortName:
		return func(a, b *entry) bool { return a.key < b.key }
	case sortSize:
		return func(a, b *entry) bool { return a.size > b.size }
	case sortState:
		return func(a, b *entry) bool { return a.state < b.state }
	}
	return func(a, b *entry) bool { return a.pos > b.pos }
}

// entry is one job as the window knows it. The fields after job are its
// place in the order tree, as it was put there: the tree finds it by
// them, so they change only while it is out.
type entry struct {
	job    engine.Job
	left   bool // counted in model.leftSize
	pos    int  // add order
	key    string
	size   int64
	state  int
	in     [numViews]bool
	match  bool // its name matches the search
	hidden bool // taken off the list, for a while (undo)
	picked bool // selected
}

func (e *entry) weight() (c counts) {
	if e.hidden {
		return c
	}
	for v, on := range e.in {
		if on {
			c[v] = 1
			if e.match {
				c[int(numViews)+v] = 1
				if e.picked {
					c[2*int(numViews)+v] = 1
				}
			}
		}
	}
	return c
}

// model is the window's picture of the queue, kept by engine events at
// O(log n) each: a job moving between views or places is taken out of
// the order tree and put back, and the list asks for its i-th row by a
// descent, never a walk. The event pump (jobs) and the UI goroutine (the
// selection, the search, the order) both change it, under mu.
type model struct {
	mu    sync.Mutex
	byID  map[string]*entry
	next  int // the next job's pos
	tree  ostree
	sort  sortBy
	view  view
	query string

	sel    map[string]struct{} // the selected jobs
	anchor string              // where a Shift-click range starts

	seq    uint64
	totals engine.Totals
	halted *fault.Error
	copied string // the job whose link was just copied
	// leftSize is the full size of the files left (Totals has the bytes
	// left of them): the batch's percentage.
	leftSize int64

	// What changed since the last frame.
	relist      bool                // rows came, went or moved
	urgent      bool                // a change beyond progress: draw it soon
	dirty       map[string]struct{} // rows whose job changed in place
	totalsDirty bool
	waiting     map[string]struct{} // waiting jobs: their countdown moves each second
}

func newModel() *model {
	m := &model{byID: map[string]*entry{}, dirty: map[string]struct{}{}, waiting: map[string]struct{}{}, sel: map[string]struct{}{}}
	m.tree.less = m.sort.less()
	return m
}

// shownIdx is the counts index of the rows shown: the view, searched.
func (m *model) shownIdx() int { return int(numViews) + int(m.view) }

func (m *model) shown(e *entry) bool { return e.weight()[m.shownIdx()] == 1 }

// reset replaces the picture with a snapshot (the first one, and after
// the pump missed events).
func (m *model) reset(s engine.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.byID
	m.byID = make(map[string]*entry, len(s.Jobs))
	m.tree.root = nil
	clear(m.waiting)
	m.leftSize = 0
	for _, j := range s.Jobs {
		if e := old[j.ID]; e != nil { // keeps its place in add order
			e.left = false
			m.byID[j.ID] = e
			m.tree.insert(e)
		}
		m.upsert(j)
	}
	for id := range m.sel {
		if m.byID[id] == nil {
			delete(m.sel, id)
		}
	}
	m.seq, m.totals, m.halted = s.Seq, s.Totals, s.Halted
	m.relist, m.totalsDirty = true, true
}

// apply brings the picture up to date with one event.
func (m *model) apply(ev engine.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Seq <= m.seq {
		return // the snapshot already holds it
	}
	m.seq = ev.Seq
	switch ev.Type {
	case engine.JobAdded, engine.JobChanged, engine.JobProgress:
		m.upsert(ev.Job)
	case engine.JobRemoved:
		m.remove(ev.Job.ID)
	case engine.TotalsChanged:
		m.totals, m.totalsDirty = ev.Totals, true
	case engine.QueueHalted:
		m.halted, m.totalsDirty = ev.Err, true
	case engine.QueueResumed:
		m.halted, m.totalsDirty = nil, true
	}
	if ev.Type != engine.JobProgress && ev.Type != engine.TotalsChanged {
		m.urgent = true
	}
}

// urgentChange says whether what waits to be drawn is more than progress.
func (m *model) urgentChange() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.urgent || m.relist
}

// hasWaiting: some row counts down to its next try.
func (m *model) hasWaiting() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.waiting) > 0
}

func (m *model) upsert(j engine.Job) {
	e := m.byID[j.ID]
	if e == nil {
		e = &entry{pos: m.next, key: strings.ToLower(filepath.Base(j.Path))}
		m.next++
		e.match = m.matches(e)
		m.byID[j.ID] = e
		m.place(e, j)
		m.tree.insert(e)
		if m.shown(e) {
			m.relist = true
		}
	} else if e.in != in(j.State) || e.size != j.Size || e.state != stateOrder(j.State) {
		m.move(e, func() { m.place(e, j) })
	} else if m.shown(e) {
		m.dirty[j.ID] = struct{}{}
	}
	if e.left {
		m.leftSize -= e.job.Size
	}
	if e.left = j.State.Active() || j.State == engine.Paused; e.left {
		m.leftSize += j.Size
	}
	e.job = j
	if j.State == engine.Waiting {
		m.waiting[j.ID] = struct{}{}
	} else {
		delete(m.waiting, j.ID)
	}
}

// place sets what e's place in the tree depends on, from job j.
func (m *model) place(e *entry, j engine.Job) {
	e.in, e.size, e.state = in(j.State), j.Size, stateOrder(j.State)
}

// move takes e out of the tree, changes it, and puts it back: O(log n).
// A row that came, went or moved redraws the list; one that stayed in
// its place only itself.
func (m *model) move(e *entry, change func()) {
	wasShown, wasRank := m.shown(e), m.tree.rank(m.shownIdx(), e)
	m.tree.remove(e)
	change()
	m.tree.insert(e)
	if isShown := m.shown(e); isShown != wasShown || (isShown && m.tree.rank(m.shownIdx(), e) != wasRank) {
		m.relist = true
	} else if isShown {
		m.dirty[e.job.ID] = struct{}{}
	}
}

func (m *model) remove(id string) {
	e := m.byID[id]
	if e == nil {
		return
	}
	if e.left {
		m.leftSize -= e.job.Size
	}
	if m.shown(e) {
		m.relist = true
	}
	m.tree.remove(e)
	delete(m.byID, id)
	delete(m.dirty, id)
	delete(m.waiting, id)
	delete(m.sel, id)
}

func (m *model) matches(e *entry) bool {
	return m.query == "" || strings.Contains(e.key, m.query)
}

// filter shows view v narrowed to names containing query: a user's
// action, so the one O(n) pass here is fine.
func (m *model) filter(v view, query string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := strings.ToLower(strings.TrimSpace(query))
	if q != m.query {
		m.query = q
		m.tree.each(func(e *entry) { e.match = m.matches(e) })
		m.tree.recount(m.tree.root)
	}
	m.view = v
	m.relist = true
}

// setSort orders the queue anew: a user's action, O(n log n).
func (m *model) setSort(s sortBy) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s == m.sort {
		return
	}
	var all []*entry
	m.tree.each(func(e *entry) { all = append(all, e) })
	m.sort = s
	m.tree = ostree{less: s.less()}
	for _, e := range all {
		m.tree.insert(e)
	}
	m.relist = true
}

func (m *model) sorting() sortBy {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sort
}

// length is the number of rows shown.
func (m *model) length() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tree.total(m.shownIdx())
}

// row is the job shown at row i.
func (m *model) row(i int) (engine.Job, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.tree.at(m.shownIdx(), i)
	if e == nil {
		return engine.Job{}, false
	}
	return e.job, true
}

// rowOf is the row that shows job id, -1 when none does.
func (m *model) rowOf(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byID[id]
	if e == nil || !m.shown(e) {
		return -1
	}
	return m.tree.rank(m.shownIdx(), e)
}

func (m *model) job(id string) (engine.Job, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byID[id]
	if e == nil {
		return engine.Job{}, false
	}
	return e.job, true
}

// counts are the tabs' numbers: each view's jobs that match the search.
func (m *model) counts() (c [numViews]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for v := range c {
		c[v] = m.tree.total(int(numViews) + v)
	}
	return c
}

// searching: a search narrows the views.
func (m *model) searching() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.query
}

// hide takes a job off the list for a while (a removal that can still
// be undone), or puts it back.
func (m *model) hide(id string, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.byID[id]; e != nil && e.hidden != on {
		m.pick(e, false)
		m.move(e, func() { e.hidden = on })
		m.relist, m.urgent = true, true
	}
}

// doneIDs are the finished jobs (Clear finished): O(n), a user's action.
func (m *model) doneIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	m.tree.each(func(e *entry) {
		if e.in[viewDone] && !e.hidden {
			ids = append(ids, e.job.ID)
		}
	})
	return ids
}

// touch redraws id's row at the next frame.
func (m *model) touch(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dirty[id] = struct{}{}
	m.urgent = true
}

func (m *model) queueTotals() (engine.Totals, *fault.Error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.totals, m.halted
}

// batchDone is how far the files left have come, 0..1.
func (m *model) batchDone() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leftSize <= 0 {
		return 0
	}
	return min(max(1-float64(m.totals.BytesLeft)/float64(m.leftSize), 0), 1)
}

// markCopied notes that id's link was copied: its row says so until
// another is copied.
func (m *model) markCopied(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.copied != "" {
		m.dirty[m.copied] = struct{}{}
	}
	m.copied = id
	m.dirty[id] = struct{}{}
}

func (m *model) wasCopied(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.copied == id
}

// frame is what to redraw, taken once per frame.
type frame struct {
	relist bool  // the whole list (rows came, went or moved)
	rows   []int // rows changed in place
	totals bool  // footer, counts, title, tray
	empty  bool  // nothing to draw
}

// maxRowRefreshes: beyond this many changed rows a frame refreshes the
// list once (it only draws the visible rows) instead of row by row.
const maxRowRefreshes = 64

// pending says whether a frame has anything to draw, without taking it:
// the ticker asks before it wakes the UI goroutine.
func (m *model) pending() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.relist || m.totalsDirty || len(m.dirty) > 0
}

// take returns what changed since the last call and forgets it. tick
// says a second passed: waiting rows' countdowns move.
func (m *model) take(tick bool) frame {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tick {
		for id := range m.waiting {
			m.dirty[id] = struct{}{}
		}
	}
	f := frame{relist: m.relist, totals: m.totalsDirty}
	if !f.relist && len(m.dirty) > maxRowRefreshes {
		f.relist = true
	}
	if !f.relist {
		for id := range m.dirty {
			if e := m.byID[id]; e != nil && m.shown(e) {
				f.rows = append(f.rows, m.tree.rank(m.shownIdx(), e))
			}
		}
	}
	clear(m.dirty)
	m.relist, m.totalsDirty, m.urgent = false, false, false
	f.empty = !f.relist && !f.totals && len(f.rows) == 0
	return f
}
