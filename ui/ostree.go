package ui

import "math/rand/v2"

// The queue's order is a treap (a binary search tree balanced by random
// priorities) whose nodes count, per subtree, the jobs in each view, the
// jobs in each view that match the search, and those of them selected. So the i-th row of any
// view, a row's place, and each view's count are O(log n), whatever the
// sort order, and a job that moves (its state changed under "sort by
// state") is taken out and put back in O(log n).

// counts are a subtree's jobs: [v] in view v, [numViews+v] in view v
// and matching the search, [2*numViews+v] those of them selected.
type counts [3 * numViews]int32

type onode struct {
	e    *entry
	prio uint64
	l, r *onode
	n    counts
}

type ostree struct {
	root *onode
	less func(a, b *entry) bool // the order; ties go newest first
}

// before is the strict order of the tree: less, then the newest first.
func (t *ostree) before(a, b *entry) bool {
	if t.less(a, b) {
		return true
	}
	if t.less(b, a) {
		return false
	}
	return a.pos > b.pos
}

func (n *onode) pull() {
	n.n = n.e.weight()
	if n.l != nil {
		for i := range n.n {
			n.n[i] += n.l.n[i]
		}
	}
	if n.r != nil {
		for i := range n.n {
			n.n[i] += n.r.n[i]
		}
	}
}

// split cuts t into the nodes before e and the rest.
func (t *ostree) split(n *onode, e *entry) (*onode, *onode) {
	if n == nil {
		return nil, nil
	}
	if t.before(n.e, e) {
		l, r := t.split(n.r, e)
		n.r = l
		n.pull()
		return n, r
	}
	l, r := t.split(n.l, e)
	n.l = r
	n.pull()
	return l, n
}

func merge(a, b *onode) *onode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.r = merge(a.r, b)
		a.pull()
		return a
	default:
		b.l = merge(a, b.l)
		b.pull()
		return b
	}
}

// insert puts e in its place; e must not be in the tree.
func (t *ostree) insert(e *entry) {
	n := &onode{e: e, prio: rand.Uint64()}
	n.pull()
	l, r := t.split(t.root, e)
	t.root = merge(merge(l, n), r)
}

// remove takes e out (found by its key as it was inserted).
func (t *ostree) remove(e *entry) {
	t.root = t.del(t.root, e)
}

func (t *ostree) del(n *onode, e *entry) *onode {
	if n == nil {
		return nil
	}
	switch {
	case n.e == e:
		return merge(n.l, n.r)
	case t.before(e, n.e):
		n.l = t.del(n.l, e)
	default:
		n.r = t.del(n.r, e)
	}
	n.pull()
	return n
}

// recount refreshes every subtree's counts after the search changed
// what matches: one pass, no reordering.
func (t *ostree) recount(n *onode) {
	if n == nil {
		return
	}
	t.recount(n.l)
	t.recount(n.r)
	n.pull()
}

// total is the number of jobs counted at index c.
func (t *ostree) total(c int) int {
	if t.root == nil {
		return 0
	}
	return int(t.root.n[c])
}

// at is the i-th job counted at index c, nil when there is none.
func (t *ostree) at(c, i int) *entry {
	n := t.root
	for n != nil {
		left := 0
		if n.l != nil {
			left = int(n.l.n[c])
		}
		switch self := int(n.e.weight()[c]); {
		case i < left:
			n = n.l
		case i < left+self:
			return n.e
		default:
			i -= left + self
			n = n.r
		}
	}
	return nil
}

// rank is how many jobs counted at index c come before e.
func (t *ostree) rank(c int, e *entry) int {
	r := 0
	for n := t.root; n != nil; {
		if n.e == e {
			if n.l != nil {
				r += int(n.l.n[c])
			}
			return r
		}
		if t.before(e, n.e) {
			n = n.l
			continue
		}
		if n.l != nil {
			r += int(n.l.n[c])
		}
		r += int(n.e.weight()[c])
		n = n.r
	}
	return r
}

// each visits the jobs in order.
func (t *ostree) each(fn func(*entry)) {
	var walk func(*onode)
	walk = func(n *onode) {
		if n == nil {
			return
		}
		walk(n.l)
		fn(n.e)
		walk(n.r)
	}
	walk(t.root)
}
