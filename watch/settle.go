package watch

import (
	"container/list"
	"time"

	"github.com/ferry-app/ferry/engine"
)

// settling is the set of files waiting to be still, in the order they are
// due for a look. Every file of a folder waits the same settle time, so a
// file touched again moves to the back and the list stays sorted by due
// time: an event costs O(1), and a look costs O(files due).
type settling struct {
	order  list.List // of *waiting, by due
	byPath map[string]*list.Element
	max    int // above it, new files are left to a rescan
}

// waiting is one file waiting to be still.
type waiting struct {
	path string
	due  time.Time // when to look at it next
	// seen: obs is the file as it was at obsAt. Without it (an event just
	// came), the file is still once the events have been quiet for the
	// settle time and its mtime is that old too.
	seen  bool
	obs   engine.FileVersion
	obsAt time.Time
}

func newSettling(max int) *settling {
	return &settling{byPath: map[string]*list.Element{}, max: max}
}

func (s *settling) len() int { return len(s.byPath) }

func (s *settling) has(path string) bool { _, ok := s.byPath[path]; return ok }

// touch notes an event on path: it waits again, from now. False when the
// set is full and path is not in it.
func (s *settling) touch(path string, due time.Time) bool {
	if e, ok := s.byPath[path]; ok {
		w := e.Value.(*waiting)
		w.due, w.seen = due, false
		s.order.MoveToBack(e)
		return true
	}
	if len(s.byPath) >= s.max {
		return false
	}
	s.byPath[path] = s.order.PushBack(&waiting{path: path, due: due})
	return true
}

// observe adds a file found by a scan, as it was then; a file already
// waiting keeps its place. False when the set is full.
func (s *settling) observe(v engine.FileVersion, now, due time.Time) bool {
	if s.has(v.Path) {
		return true
	}
	if len(s.byPath) >= s.max {
		return false
	}
	s.byPath[v.Path] = s.order.PushBack(&waiting{path: v.Path, due: due, seen: true, obs: v, obsAt: now})
	return true
}

// next is the file due first, nil if none waits.
func (s *settling) next() *waiting {
	if e := s.order.Front(); e != nil {
		return e.Value.(*waiting)
	}
	return nil
}

// again makes w wait once more, as it is now.
func (s *settling) again(w *waiting, v engine.FileVersion, now, due time.Time) {
	w.seen, w.obs, w.obsAt, w.due = true, v, now, due
	s.order.MoveToBack(s.byPath[w.path])
}

func (s *settling) remove(path string) {
	if e, ok := s.byPath[path]; ok {
		s.order.Remove(e)
		delete(s.byPath, path)
	}
}

func (s *settling) clear() {
	s.order.Init()
	clear(s.byPath)
}
