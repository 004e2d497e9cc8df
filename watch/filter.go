package watch

import (
	"path/filepath"
	"strings"

	"github.com/ferry-app/ferry/localfile"
	"github.com/ferry-app/ferry/watch/settings"
)

// filter says which names in a watch folder are files to upload.
type filter struct {
	all    bool            // "*": every file
	exts   map[string]bool // lower case, no dot
	moveTo string          // the sub-folder uploaded files go to ("" with no move), relative
}

func newFilter(f settings.WatchFolder) filter {
	ft := filter{exts: map[string]bool{}, moveTo: f.MoveTo}
	for _, x := range f.Exts {
		if x == "*" {
			ft.all = true
		}
		ft.exts[x] = true
	}
	return ft
}

// takes: a file of this name is uploaded. Hidden and temporary names
// (x.mp4.part, .DS_Store, x.mp4~) never are; x.mp4.part renamed to x.mp4
// is, as the new name.
func (ft filter) takes(name string) bool {
	if localfile.Skipped(name) {
		return false
	}
	if ft.all {
		return true
	}
	return ft.exts[strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))]
}

// ignoresDir: nothing in this folder (relative to the watch folder) is
// watched: a hidden one (.git, .Trash), or where uploaded files are moved.
func (ft filter) ignoresDir(rel string) bool {
	if ft.moveTo != "" && (rel == ft.moveTo || strings.HasPrefix(rel, ft.moveTo+string(filepath.Separator))) {
		return true
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if localfile.Skipped(part) {
			return true
		}
	}
	return false
}
