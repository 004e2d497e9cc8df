package ui

// fenwick is a set of positions 0..n-1 that answers "how many members
// before p" and "which is the k-th member" in O(log n): the filtered views
// of the queue, so an event moves one job between views without a walk
// over every job. It grows by doubling (amortised O(1) per append).
type fenwick struct {
	tree []int32 // 1-based partial sums
	in   []bool  // membership
	n    int     // members
}

// grow makes room for position p.
func (f *fenwick) grow(p int) {
	if p < len(f.in) {
		return
	}
	size := max(64, len(f.in))
	for size <= p {
		size *= 2
	}
	in := make([]bool, size)
	copy(in, f.in)
	f.in = in
	f.tree = make([]int32, size+1)
	for i, ok := range f.in { // O(n) linear build
		if ok {
			f.tree[i+1]++
		}
	}
	for i := 1; i <= size; i++ {
		if j := i + i&-i; j <= size {
			f.tree[j] += f.tree[i]
		}
	}
}

// set makes p a member or not.
func (f *fenwick) set(p int, on bool) {
	f.grow(p)
	if f.in[p] == on {
		return
	}
	f.in[p] = on
	d := int32(-1)
	if on {
		d = 1
		f.n++
	} else {
		f.n--
	}
	for i := p + 1; i < len(f.tree); i += i & -i {
		f.tree[i] += d
	}
}

func (f *fenwick) has(p int) bool { return p < len(f.in) && f.in[p] }

// rank is the number of members before p.
func (f *fenwick) rank(p int) int {
	s := int32(0)
	for i := min(p, len(f.in)); i > 0; i -= i & -i {
		s += f.tree[i]
	}
	return int(s)
}

// at is the position of the k-th member (0-based), or -1.
func (f *fenwick) at(k int) int {
	if k < 0 || k >= f.n {
		return -1
	}
	pos, rem := 0, int32(k+1)
	step := 1
	for step*2 <= len(f.in) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next <= len(f.in) && f.tree[next] < rem {
			pos = next
			rem -= f.tree[next]
		}
	}
	return pos // 1-based index pos+1 → 0-based pos
}

// reset empties the set, keeping its size.
func (f *fenwick) reset() {
	clear(f.in)
	clear(f.tree)
	f.n = 0
}
