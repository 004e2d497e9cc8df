package receiver

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
)

// maxHints bounds the memory of names seen; forgetting only costs a
// search.
const maxHints = 4096

// names finds a free name in Dir for "a.txt": "a.txt", then "a (N).txt".
// It remembers the last N per name and, without a memory, gallops and
// bisects over N, so the 10,001st "a.txt" costs a few dozen stats, not
// 10,000 failed links.
type names struct {
	mu   sync.Mutex
	next map[string]int
}

// claim calls try with candidate paths until one succeeds; try must fail
// with fs.ErrExist, and not replace anything, when the name is taken.
func (n *names) claim(dir, name string, try func(path string) error) (string, error) {
	stem, ext := splitExt(name)
	cand := func(i int) string {
		if i == 0 {
			return name
		}
		return fmt.Sprintf("%s (%d)%s", stem, i, ext)
	}
	taken := func(i int) bool {
		_, err := os.Lstat(filepath.Join(dir, cand(i)))
		return !errors.Is(err, fs.ErrNotExist)
	}
	attempt := func(i int) (bool, error) {
		err := try(filepath.Join(dir, cand(i)))
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return err == nil, err
	}

	if ok, err := attempt(0); ok || err != nil {
		return name, err
	}
	for range 8 { // others may take each name we find; then look again
		i := n.free(name, taken)
		ok, err := attempt(i)
		n.remember(name, i+1)
		if ok || err != nil {
			return cand(i), err
		}
	}
	// Still losing races: a random number ends it.
	for range 100 {
		i := 100000 + rand.IntN(1<<30)
		if ok, err := attempt(i); ok || err != nil {
			return cand(i), err
		}
	}
	return "", fmt.Errorf("no free name for %s", name)
}

// free returns a number whose name was free when looked at: the remembered
// one if free, else the first free one after a run of taken ones.
func (n *names) free(name string, taken func(int) bool) int {
	n.mu.Lock()
	lo := max(n.next[name], 1)
	n.mu.Unlock()
	if !taken(lo) {
		return lo
	}
	// lo is taken: double the step until a free hi, then bisect (lo, hi).
	hi := lo + 1
	for step := 1; taken(hi); step *= 2 {
		lo, hi = hi, hi+step
	}
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; taken(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func (n *names) remember(name string, next int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.next == nil || len(n.next) >= maxHints {
		n.next = map[string]int{}
	}
	n.next[name] = max(n.next[name], next)
}
