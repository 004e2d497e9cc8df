package ui

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/ferry-app/ferry/engine"
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

// entry is one job as the window knows it.
type entry struct {
	job  engine.Job
	pos  int    // place in add order: the position in every fenwick
	key  string // lowercased file name, for the search box
	left bool   // counted in model.leftSize
}

// model is the window's picture of the queue, kept by engine events at
// O(log n) each: a job moving between views flips one bit per view, and
// the list asks for its i-th row by a fenwick descent, never a walk. The
// UI goroutine reads it under mu; the event pump writes it.
type model struct {
	mu    sync.Mutex
	byID  map[string]*entry
	slots []*entry // by pos; nil where a job was removed
	views [numViews]fenwick
	shown fenwick // the current view, narrowed by the search
	view  view
	query string

	seq    uint64
	totals engine.Totals
	halted *engine.Error
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
	return &model{byID: map[string]*entry{}, dirty: map[string]struct{}{}, waiting: map[string]struct{}{}}
}

// reset replaces the picture with a snapshot (the first one, and after
// the pump missed events).
func (m *model) reset(s engine.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID = make(map[string]*entry, len(s.Jobs))
	m.slots = m.slots[:0]
	for v := range m.views {
		m.views[v].reset()
	}
	m.shown.reset()
	clear(m.waiting)
	m.leftSize = 0
	for _, j := range s.Jobs {
		m.upsert(j)
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
		e = &entry{pos: len(m.slots), key: strings.ToLower(filepath.Base(j.Path))}
		m.slots = append(m.slots, e)
		m.byID[j.ID] = e
	}
	if e.left {
		m.leftSize -= e.job.Size
	}
	if e.left = j.State.Active() || j.State == engine.Paused; e.left {
		m.leftSize += j.Size
	}
	e.job = j
	for v, on := range in(j.State) {
		m.views[v].set(e.pos, on)
	}
	show := m.matches(e)
	if m.shown.has(e.pos) != show {
		m.shown.set(e.pos, show)
		m.relist = true
	} else if show {
		m.dirty[j.ID] = struct{}{}
	}
	if j.State == engine.Waiting {
		m.waiting[j.ID] = struct{}{}
	} else {
		delete(m.waiting, j.ID)
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
	delete(m.byID, id)
	delete(m.dirty, id)
	delete(m.waiting, id)
	m.slots[e.pos] = nil
	for v := range m.views {
		m.views[v].set(e.pos, false)
	}
	if m.shown.has(e.pos) {
		m.shown.set(e.pos, false)
		m.relist = true
	}
}

func (m *model) matches(e *entry) bool {
	return m.views[m.view].has(e.pos) && (m.query == "" || strings.Contains(e.key, m.query))
}

// filter shows view v narrowed to names containing query: a user's
// action, so the one O(n) pass here is fine.
func (m *model) filter(v view, query string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.view, m.query = v, strings.ToLower(strings.TrimSpace(query))
	m.shown.reset()
	for _, e := range m.slots {
		if e != nil && m.matches(e) {
			m.shown.set(e.pos, true)
		}
	}
	m.relist = true
}

// length is the number of rows shown.
func (m *model) length() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.shown.n
}

// row is the job shown at row i.
func (m *model) row(i int) (engine.Job, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.shown.at(i)
	if p < 0 || m.slots[p] == nil {
		return engine.Job{}, false
	}
	return m.slots[p].job, true
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

// counts are the tabs' numbers.
func (m *model) counts() (c [numViews]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for v := range c {
		c[v] = m.views[v].n
	}
	return c
}

func (m *model) queueTotals() (engine.Totals, *engine.Error) {
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
			if e := m.byID[id]; e != nil && m.shown.has(e.pos) {
				f.rows = append(f.rows, m.shown.rank(e.pos))
			}
		}
	}
	clear(m.dirty)
	m.relist, m.totalsDirty, m.urgent = false, false, false
	f.empty = !f.relist && !f.totals && len(f.rows) == 0
	return f
}
