package localfile

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ferry-app/ferry/internal/wine"
)

// walkTree makes files, and folders for names ending in "/", under root.
func walkTree(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, filepath.FromSlash(n))
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// walkLink makes link (under root) point at target, as written; it skips
// the test where the system does not allow links (Windows without
// developer mode).
func walkLink(t *testing.T, root, target, link string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
		t.Skipf("cannot make links here: %v", err)
	}
	if _, err := os.Lstat(p); err != nil {
		wine.Skip(t, "it says a symbolic link was made, and none is there")
	}
}

// walkPaths puts root in front of slash-separated names.
func walkPaths(root string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(root, filepath.FromSlash(n))
	}
	return out
}

// walkSentences writes $R as root and slashes as the system's separator.
func walkSentences(root string, want []string) []string {
	out := make([]string, len(want))
	for i, w := range want {
		out[i] = strings.ReplaceAll(filepath.FromSlash(w), "$R", root)
	}
	return out
}

func walkErrors(bad []PathError) []string {
	out := make([]string, len(bad))
	for i, b := range bad {
		out[i] = b.Error()
	}
	return out
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root string) // beyond walkTree
		tree  []string
		args  []string // under root; a trailing "/" is kept
		files []string // under root, in order
		bad   []string // sentences; $R is root
	}{{
		name:  "named files are kept as given, even hidden, temporary or missing",
		tree:  []string{"a.txt", ".env", "x.part"},
		args:  []string{"a.txt", ".env", "x.part", "missing.mp4"},
		files: []string{"a.txt", ".env", "x.part", "missing.mp4"},
	}, {
		name:  "folders are walked in sorted order, depth first",
		tree:  []string{"d/c.txt", "d/b/2.txt", "d/a.txt", "d/b/1.txt", "d/b/sub/z.txt", "d/B.txt"},
		args:  []string{"d"},
		files: []string{"d/B.txt", "d/a.txt", "d/b/1.txt", "d/b/2.txt", "d/b/sub/z.txt", "d/c.txt"},
	}, {
		name: "hidden and temporary names inside folders are skipped",
		tree: []string{
			"d/keep.mp4", "d/.DS_Store", "d/.git/config", "d/desktop.ini", "d/Thumbs.db",
			"d/a.part", "d/b.crdownload", "d/c.TMP", "d/d.temp", "d/e.partial", "d/f.download",
			"d/g.txt~", "d/~$report.docx", "d/.~lock.report.odt#", "d/sub/.hidden",
		},
		args:  []string{"d"},
		files: []string{"d/keep.mp4"},
	}, {
		name:  "a hidden folder named by the user is walked",
		tree:  []string{".config/app.conf", ".config/.cache/x"},
		args:  []string{".config"},
		files: []string{".config/app.conf"},
	}, {
		name: "a linked file is kept under the link's path",
		tree: []string{"real/movie.mp4", "d/a.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "../real/movie.mp4", "d/link.mp4")
		},
		args:  []string{"d"},
		files: []string{"d/a.txt", "d/link.mp4"},
	}, {
		name: "a linked folder inside a folder is walked",
		tree: []string{"other/f.txt", "other/g/h.txt", "d/a.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "../other", "d/sub")
		},
		args:  []string{"d"},
		files: []string{"d/a.txt", "d/sub/f.txt", "d/sub/g/h.txt"},
	}, {
		name: "a folder argument that is a link is walked, with or without a slash",
		tree: []string{"real/f.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "real", "link")
		},
		args:  []string{"link", "link/"},
		files: []string{"link/f.txt"},
	}, {
		name: "a link to an ancestor is a loop, reported once",
		tree: []string{"d/a/f.txt", "d/g.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "..", "d/a/up")
		},
		args:  []string{"d"},
		files: []string{"d/a/f.txt", "d/g.txt"},
		bad:   []string{"$R/d/a/up links back to $R/d, a loop; skipped."},
	}, {
		name: "a link to its own folder is a loop",
		tree: []string{"d/f.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, ".", "d/self")
		},
		args:  []string{"d"},
		files: []string{"d/f.txt"},
		bad:   []string{"$R/d/self links back to $R/d, a loop; skipped."},
	}, {
		name: "folders linking to each other are one loop, reported once",
		tree: []string{"d/a/f1.txt", "d/b/f2.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "../b", "d/a/tob")
			walkLink(t, root, "../a", "d/b/toa")
		},
		args:  []string{"d"},
		files: []string{"d/a/f1.txt", "d/a/tob/f2.txt", "d/b/f2.txt", "d/b/toa/f1.txt"},
		bad:   []string{"$R/d/a/tob/toa links back to $R/d/a, a loop; skipped."},
	}, {
		name: "links pointing at each other are one loop, reported once",
		tree: []string{"d/f.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "y", "d/x")
			walkLink(t, root, "x", "d/y")
		},
		args:  []string{"d"},
		files: []string{"d/f.txt"},
		bad:   []string{"$R/d/x links back to $R/d/y, a loop; skipped."},
	}, {
		name: "a dangling link is reported and the walk goes on",
		tree: []string{"d/f.txt"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "missing.mp4", "d/gone.mp4")
		},
		args:  []string{"d"},
		files: []string{"d/f.txt"},
		bad:   []string{"$R/d/gone.mp4 is a link to missing.mp4, which does not exist; skipped."},
	}, {
		name: "a folder holding only a dangling link is not called empty",
		tree: []string{"d/"},
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "../nowhere", "d/gone")
		},
		args: []string{"d"},
		bad:  []string{"$R/d/gone is a link to ../nowhere, which does not exist; skipped."},
	}, {
		name: "a named dangling link is left to Add",
		setup: func(t *testing.T, root string) {
			walkLink(t, root, "nowhere", "gone")
		},
		args:  []string{"gone"},
		files: []string{"gone"},
	}, {
		name: "an empty folder has nothing to upload",
		tree: []string{"empty/"},
		args: []string{"empty"},
		bad:  []string{"$R/empty is an empty folder: nothing to upload."},
	}, {
		name: "a folder of empty folders has nothing to upload",
		tree: []string{"d/a/", "d/b/c/"},
		args: []string{"d"},
		bad:  []string{"$R/d is an empty folder: nothing to upload."},
	}, {
		name: "a folder of hidden files says so",
		tree: []string{"d/.DS_Store", "d/x.part"},
		args: []string{"d"},
		bad:  []string{"$R/d holds only hidden or temporary files: nothing to upload."},
	}, {
		name:  "a file named twice, or named and found in a folder, appears once",
		tree:  []string{"d/a.txt", "d/b.txt"},
		args:  []string{"d/b.txt", "d/b.txt", "d", "d/./a.txt", "d/", "x/../d"},
		files: []string{"d/b.txt", "d/a.txt"},
	}, {
		name:  "a folder inside an earlier one is neither repeated nor empty",
		tree:  []string{"d/sub/f.txt"},
		args:  []string{"d", "d/sub"},
		files: []string{"d/sub/f.txt"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := wine.TempDir(t)
			walkTree(t, root, tc.tree...)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = root + string(filepath.Separator) + filepath.FromSlash(a)
			}
			files, bad := Expand(args)
			if want := walkPaths(root, tc.files...); !slices.Equal(files, want) {
				t.Errorf("files:\n got %q\nwant %q", files, want)
			}
			if got, want := walkErrors(bad), walkSentences(root, tc.bad); !slices.Equal(got, want) {
				t.Errorf("bad:\n got %q\nwant %q", got, want)
			}
			for _, b := range bad {
				if !strings.Contains(b.Err.Error(), b.Path) {
					t.Errorf("%q does not name its path %q", b.Err, b.Path)
				}
			}
		})
	}
}

func TestExpandMakesRelativePathsAbsolute(t *testing.T) {
	root := wine.TempDir(t)
	walkTree(t, root, "a.txt", "d/b.txt")
	t.Chdir(root)
	files, bad := Expand([]string{"a.txt", "d", "./d/b.txt"})
	if want := walkPaths(root, "a.txt", "d/b.txt"); !slices.Equal(files, want) || len(bad) > 0 {
		t.Errorf("got %q %v, want %q", files, bad, want)
	}
}

func TestExpandKeepsNamesThatAreNotUTF8(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows names are UTF-16: a name that is not UTF-8 cannot be made there")
	}
	root := wine.TempDir(t)
	name := "\xff\xfe.mp4"
	if err := os.WriteFile(filepath.Join(root, name), []byte("x"), 0o644); err != nil {
		t.Skipf("this file system refuses names that are not UTF-8: %v", err)
	}
	want := filepath.Join(root, name)
	for _, arg := range []string{want, root} {
		files, bad := Expand([]string{arg})
		if len(files) != 1 || files[0] != want || len(bad) > 0 {
			t.Fatalf("Expand(%q) = %q %v, want %q", arg, files, bad, want)
		}
		if utf8.ValidString(files[0]) {
			t.Fatalf("the name was converted to UTF-8: %q", files[0])
		}
	}
}

func TestExpandReportsUnreadableFolders(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("permissions do not stop root, and Windows uses ACLs")
	}
	root := wine.TempDir(t)
	walkTree(t, root, "d/a/f.txt", "d/locked/g.txt", "d/z.txt", "alone/x.txt")
	for _, dir := range []string{"d/locked", "alone"} {
		p := filepath.Join(root, dir)
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}

	files, bad := Expand(walkPaths(root, "d", "alone"))
	if want := walkPaths(root, "d/a/f.txt", "d/z.txt"); !slices.Equal(files, want) {
		t.Errorf("files: got %q, want %q", files, want)
	}
	want := walkSentences(root, []string{
		"Cannot read $R/d/locked: permission denied.",
		"Cannot read $R/alone: permission denied.",
	})
	if got := walkErrors(bad); !slices.Equal(got, want) {
		t.Errorf("bad:\n got %q\nwant %q", got, want)
	}
	for _, b := range bad {
		if !errors.Is(b, fs.ErrPermission) {
			t.Errorf("%v is not fs.ErrPermission", b)
		}
	}
}

func TestExpandSkipsSockets(t *testing.T) {
	root := wine.TempDir(t)
	walkTree(t, root, "d/f.txt")
	l, err := net.Listen("unix", filepath.Join(root, "d", "s.sock"))
	if err != nil {
		t.Skipf("no Unix sockets here: %v", err)
	}
	defer l.Close()
	files, bad := Expand([]string{filepath.Join(root, "d")})
	if want := walkPaths(root, "d/f.txt"); !slices.Equal(files, want) {
		t.Errorf("files: got %q, want %q", files, want)
	}
	want := walkSentences(root, []string{"$R/d/s.sock is not a regular file; skipped."})
	if got := walkErrors(bad); !slices.Equal(got, want) {
		t.Errorf("bad: got %q, want %q", got, want)
	}
}

func TestExpandManyFilesIsQuick(t *testing.T) {
	root := wine.TempDir(t)
	const n = 10000
	for i := range n {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("f%05d.bin", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	files, bad := Expand([]string{root})
	took := time.Since(start)
	t.Logf("%d files in %v", len(files), took)
	if len(files) != n || len(bad) > 0 {
		t.Fatalf("got %d files and %v, want %d files", len(files), bad, n)
	}
	if !slices.IsSorted(files) {
		t.Error("files are not in sorted order")
	}
	if took > time.Second {
		t.Errorf("Expand took %v for %d files; it should take well under a second", took, n)
	}
}

func TestSkipped(t *testing.T) {
	for _, name := range []string{
		".DS_Store", ".hidden", ".git", ".", "..", "desktop.ini", "Desktop.ini", "Thumbs.db", "THUMBS.DB",
		"a.part", "a.PART", "a.crdownload", "a.tmp", "a.temp", "a.partial", "a.download",
		"notes.txt~", "~$report.docx", ".~lock.report.odt#",
	} {
		if !Skipped(name) {
			t.Errorf("Skipped(%q) = false, want true", name)
		}
	}
	for _, name := range []string{
		"movie.mp4", "part", "temp", "report.tmp.pdf", "a~b.txt", "~notes.txt", "desktop.ini.bak",
		"my.download.zip", "\xff\xfe.mp4", "",
	} {
		if Skipped(name) {
			t.Errorf("Skipped(%q) = true, want false", name)
		}
	}
}

func TestPathErrorNamesThePathOnce(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		e    PathError
		want string
	}{
		{PathError{"/a/b", errors.New("/a/b is an empty folder: nothing to upload.")}, "/a/b is an empty folder: nothing to upload."},
		{PathError{"/a/b", cause}, "/a/b: boom"},
		{PathError{"/a/b", nil}, "/a/b"},
	}
	for _, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	var err error = PathError{"/a/b", cause}
	if !errors.Is(err, cause) {
		t.Error("PathError does not unwrap to its cause")
	}
}
