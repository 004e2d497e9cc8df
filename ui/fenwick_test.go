package ui

import (
	"math/rand/v2"
	"testing"
)

func TestFenwickAgainstASlice(t *testing.T) {
	var f fenwick
	var ref []bool
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		p := r.IntN(3000)
		on := r.IntN(3) > 0
		f.set(p, on)
		for len(ref) <= p {
			ref = append(ref, false)
		}
		ref[p] = on
		if i%97 != 0 {
			continue
		}
		var members []int
		for q, ok := range ref {
			if ok {
				members = append(members, q)
			}
		}
		if f.n != len(members) {
			t.Fatalf("n = %d, want %d", f.n, len(members))
		}
		for k, q := range members {
			if got := f.at(k); got != q {
				t.Fatalf("at(%d) = %d, want %d", k, got, q)
			}
			if got := f.rank(q); got != k {
				t.Fatalf("rank(%d) = %d, want %d", q, got, k)
			}
		}
		if f.at(len(members)) != -1 || f.at(-1) != -1 {
			t.Fatal("at out of range is not -1")
		}
	}
}
