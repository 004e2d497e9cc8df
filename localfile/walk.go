package localfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PathError is a path that Expand could not turn into files to upload.
type PathError struct {
	Path string
	Err  error
}

// Error is Err's sentence, prefixed with the path unless it already names it.
func (e PathError) Error() string {
	if e.Err == nil {
		return e.Path
	}
	msg := e.Err.Error()
	if strings.Contains(msg, e.Path) {
		return msg
	}
	return e.Path + ": " + msg
}

func (e PathError) Unwrap() error { return e.Err }

// Skipped reports whether a file or folder name (not a path) is hidden or
// temporary: left out when walking a folder, and by the watch folder.
func Skipped(name string) bool {
	// "." also covers .DS_Store, hidden folders and LibreOffice's .~lock files;
	// "~$" is Office's owner file next to an open document.
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasSuffix(name, "~") {
		return true
	}
	lower := strings.ToLower(name) // Windows names are case-insensitive
	if lower == "desktop.ini" || lower == "thumbs.db" {
		return true
	}
	for _, s := range walkTempSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// walkTempSuffixes mark downloads and saves still in progress.
var walkTempSuffixes = []string{".part", ".crdownload", ".tmp", ".temp", ".partial", ".download"}

// Expand turns what a user gives (files and folders, from a command line or
// a drop) into the absolute paths of the files to upload, in order, each
// once. A path that is not a folder is kept as it is, for Add to accept or
// to explain. Folders are walked in sorted order, following links like a
// file manager does and leaving out Skipped names; loops, dangling links,
// unreadable folders and folders with nothing to upload come back in bad,
// and the walk goes on. Names keep the exact bytes the system gave.
func Expand(paths []string) (files []string, bad []PathError) {
	w := &walker{seen: make(map[string]bool)}
	walked := make(map[string]bool)
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p // no working folder; Add will say what is wrong
		}
		// Stat, not Lstat: a link to a folder is a folder, even without a
		// trailing slash.
		fi, err := os.Stat(abs)
		if err != nil || !fi.IsDir() {
			w.add(abs)
			continue
		}
		if !walked[abs] {
			walked[abs] = true
			w.walkRoot(abs, fi)
		}
	}
	return w.files, w.bad
}

type walker struct {
	files []string
	seen  map[string]bool
	bad   []PathError
	// Loops already reported, so one loop met from several sides is
	// reported once: folders for links to an ancestor, link paths for links
	// that point at each other.
	dirLoops  [][]fs.FileInfo
	linkLoops [][]string
}

// walkDir is a folder on the current path, to catch links back to it.
type walkDir struct {
	path string
	info fs.FileInfo
}

// walkCount says what a folder argument held, to tell an empty one.
type walkCount struct {
	files, skipped, problems int
}

func (w *walker) add(path string) {
	if !w.seen[path] {
		w.seen[path] = true
		w.files = append(w.files, path)
	}
}

// errWalkReported stands for a loop already reported from another side.
var errWalkReported = errors.New("reported already")

// fail records a problem under a folder argument; nil means there is none.
func (w *walker) fail(path string, err error, c *walkCount) {
	if err == nil {
		return
	}
	c.problems++
	if err != errWalkReported {
		w.bad = append(w.bad, PathError{Path: path, Err: err})
	}
}

func (w *walker) walkRoot(dir string, fi fs.FileInfo) {
	var c walkCount
	w.walk(dir, []walkDir{{dir, fi}}, &c)
	switch {
	case c.files > 0 || c.problems > 0:
		// Problems were already reported; "empty" would not be true.
	case c.skipped > 0:
		w.fail(dir, walkErrorf(nil, "%s holds only hidden or temporary files: nothing to upload.", dir), &c)
	default:
		w.fail(dir, walkErrorf(nil, "%s is an empty folder: nothing to upload.", dir), &c)
	}
}

// walk adds the files under dir; stack holds dir and the folders above it.
func (w *walker) walk(dir string, stack []walkDir, c *walkCount) {
	// os.ReadDir sorts by name and, on error, still returns what it read.
	entries, readErr := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if Skipped(name) {
			c.skipped++
			continue
		}
		path := filepath.Join(dir, name)
		typ := e.Type()
		if typ.IsRegular() {
			c.files++
			w.add(path)
			continue
		}
		// Links, folders and odd types: look at what the path leads to.
		fi, err := os.Stat(path)
		if err != nil {
			w.fail(path, w.statError(path, err), c)
			continue
		}
		switch mode := fi.Mode(); {
		case mode.IsDir():
			if loop := walkAncestor(stack, fi); loop >= 0 {
				w.fail(path, w.dirLoop(path, stack[loop:]), c)
				continue
			}
			w.walk(path, append(stack, walkDir{path, fi}), c)
		case mode&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice) != 0:
			// Opening a pipe would wait forever; nothing here is a file.
			w.fail(path, walkSkipped(walkErrorf(nil, "%s is not a regular file; skipped.", path)), c)
		default:
			// Regular files, and types only Add can judge (such as cloud
			// placeholders on Windows).
			c.files++
			w.add(path)
		}
	}
	if readErr != nil {
		w.fail(dir, walkReadError(dir, readErr), c)
	}
}

// walkAncestor is the index in stack of the folder fi is, or -1.
func walkAncestor(stack []walkDir, fi fs.FileInfo) int {
	for i, d := range stack {
		if os.SameFile(d.info, fi) {
			return i
		}
	}
	return -1
}

// dirLoop is the sentence for a folder that is one of its own ancestors.
func (w *walker) dirLoop(path string, cycle []walkDir) error {
	for _, seen := range w.dirLoops {
		if walkSameDirs(seen, cycle) {
			return errWalkReported
		}
	}
	infos := make([]fs.FileInfo, len(cycle))
	for i, d := range cycle {
		infos[i] = d.info
	}
	w.dirLoops = append(w.dirLoops, infos)
	return walkSkipped(walkErrorf(nil, "%s links back to %s, a loop; skipped.", path, cycle[0].path))
}

func walkSameDirs(seen []fs.FileInfo, cycle []walkDir) bool {
	if len(seen) != len(cycle) {
		return false
	}
	for _, d := range cycle {
		found := false
		for _, s := range seen {
			if os.SameFile(s, d.info) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// statError is the sentence for an entry whose target cannot be read, or
// nil if there is nothing to say.
func (w *walker) statError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		target, rerr := os.Readlink(path)
		if rerr != nil {
			return nil // removed since the folder was read
		}
		return walkSkipped(walkErrorf(fs.ErrNotExist, "%s is a link to %s, which does not exist; skipped.", path, target))
	case errors.Is(err, fs.ErrPermission):
		return walkReadError(path, err)
	}
	if cycle := walkLinkCycle(path); cycle != nil {
		for _, seen := range w.linkLoops {
			if walkSameLinks(seen, cycle) {
				return errWalkReported
			}
		}
		w.linkLoops = append(w.linkLoops, cycle)
		next := cycle[0]
		if len(cycle) > 1 && cycle[0] == path {
			next = cycle[1]
		}
		return walkSkipped(walkErrorf(nil, "%s links back to %s, a loop; skipped.", path, next))
	}
	return walkReadError(path, err)
}

// walkLinkCycle follows a chain of links by hand, since systems report links
// that point at each other differently; it returns the links that form a
// loop, or nil.
func walkLinkCycle(path string) []string {
	var chain []string
	for p := path; len(chain) < 64; {
		for i, q := range chain {
			if q == p {
				return chain[i:]
			}
		}
		chain = append(chain, p)
		target, err := os.Readlink(p)
		if err != nil {
			return nil
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return nil
}

func walkSameLinks(seen, cycle []string) bool {
	if len(seen) != len(cycle) {
		return false
	}
	for _, p := range cycle {
		found := false
		for _, s := range seen {
			found = found || s == p
		}
		if !found {
			return false
		}
	}
	return true
}

// walkReadError is the sentence for a folder or entry that cannot be read.
func walkReadError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrPermission) {
		err = fs.ErrPermission // one wording on every system
	}
	if errors.Is(err, fs.ErrNotExist) {
		return walkErrorf(fs.ErrNotExist, "%s no longer exists.", path)
	}
	return walkErrorf(err, "Cannot read %s: %s.", path, strings.TrimSuffix(err.Error(), "."))
}

// ErrSkipped marks what a walk left out on purpose where nothing is lost
// (a link loop, a dangling link, a pipe): worth a word, not a failure.
var ErrSkipped = errors.New("skipped")

// walkError is a sentence that still matches errors.Is for its cause.
type walkError struct {
	msg     string
	cause   error
	skipped bool
}

func (e *walkError) Error() string        { return e.msg }
func (e *walkError) Unwrap() error        { return e.cause }
func (e *walkError) Is(target error) bool { return e.skipped && target == ErrSkipped }

func walkSkipped(err error) error {
	err.(*walkError).skipped = true
	return err
}

func walkErrorf(cause error, format string, args ...any) error {
	return &walkError{msg: fmt.Sprintf(format, args...), cause: cause}
}
