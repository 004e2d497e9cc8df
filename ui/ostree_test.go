package ui

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The order tree against the obvious: a sorted slice, after every one of
// thousands of random inserts, moves, removals and recounts.
func TestOrderTreeAgreesWithASortedSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []sortBy{sortAdded, sortName, sortSize, sortState} {
		tr := ostree{less: s.less()}
		var all []*entry
		naive := func() []*entry {
			out := slices.Clone(all)
			slices.SortFunc(out, func(a, b *entry) int {
				switch {
				case tr.before(a, b):
					return -1
				case tr.before(b, a):
					return 1
				}
				return 0
			})
			return out
		}
		random := func(e *entry) {
			e.key = string(rune('a' + r.IntN(5)))
			e.size = int64(r.IntN(4))
			e.state = r.IntN(7)
			for v := range e.in {
				e.in[v] = r.IntN(2) == 0
			}
			e.match = r.IntN(3) > 0
			e.hidden = r.IntN(10) == 0
			e.picked = r.IntN(3) == 0
		}
		for step := range 3000 {
			switch op := r.IntN(10); {
			case op < 5 || len(all) == 0:
				e := &entry{pos: step}
				random(e)
				tr.insert(e)
				all = append(all, e)
			case op < 8:
				e := all[r.IntN(len(all))]
				tr.remove(e)
				random(e)
				tr.insert(e)
			case op < 9:
				i := r.IntN(len(all))
				tr.remove(all[i])
				all = slices.Delete(all, i, i+1)
			default:
				for _, e := range all {
					e.match = r.IntN(2) == 0
				}
				tr.recount(tr.root)
			}
			if step%37 != 0 {
				continue
			}
			want := naive()
			for c := range 3 * int(numViews) {
				var in []*entry
				for _, e := range want {
					if e.weight()[c] == 1 {
						in = append(in, e)
					}
				}
				if tr.total(c) != len(in) {
					t.Fatalf("sort %d step %d: total[%d] %d, want %d", s, step, c, tr.total(c), len(in))
				}
				for i, e := range in {
					if got := tr.at(c, i); got != e {
						t.Fatalf("sort %d step %d: at(%d, %d) wrong", s, step, c, i)
					}
					if got := tr.rank(c, e); got != i {
						t.Fatalf("sort %d step %d: rank(%d) %d, want %d", s, step, c, got, i)
					}
				}
				if tr.at(c, len(in)) != nil {
					t.Fatal("at beyond the end is not nil")
				}
			}
		}
	}
}
