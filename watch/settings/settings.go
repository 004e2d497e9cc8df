// Package settings is what a watch folder is told: the folder, where its
// files go, which files it takes, how long they must be still, and what
// happens to them after upload, with the rules that make settings whole.
// The engine keeps them in the queue's database; the watch package acts
// on them.
package settings

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/fault"
)

// After is what happens to a watched file once its upload is done.
type After string

const (
	AfterKeep   After = "keep"   // leave it where it is
	AfterMove   After = "move"   // move it into WatchFolder.MoveTo
	AfterDelete After = "delete" // delete it (the server has every byte)
)

// ParseAfter reads keep, move or delete.
func ParseAfter(s string) (After, error) {
	switch a := After(s); a {
	case AfterKeep, AfterMove, AfterDelete:
		return a, nil
	}
	return "", fault.New(fault.CodeBadSetting, "%q is not an after-upload action; use keep, move or delete.", s)
}

// DefaultMoveTo is the sub-folder uploaded files are moved into.
const DefaultMoveTo = "uploaded"

// DefaultSettle is how long a watched file must stay unchanged.
const DefaultSettle = 5 * time.Second

// VideoExts are the extensions a watch folder takes by default.
var VideoExts = []string{"mp4", "m4v", "mov", "qt", "mkv", "avi", "webm", "mts", "m2ts", "ts",
	"mpg", "mpeg", "wmv", "flv", "3gp", "mxf", "ogv"}

// WatchFolder is one watched folder's settings.
type WatchFolder struct {
	Dir  string           `json:"dir"`  // absolute
	Dest dest.Destination `json:"dest"` // kept without secrets: a saved one by name
	// Settle is how long a file's size and mtime must stay the same before
	// it is queued; 0 means DefaultSettle.
	Settle time.Duration `json:"settle,omitempty"`
	// Exts are the extensions taken, lower case without the dot; nil means
	// VideoExts, "*" every file.
	Exts   []string `json:"exts,omitempty"`
	After  After    `json:"after,omitempty"`   // "" is keep
	MoveTo string   `json:"move_to,omitempty"` // for AfterMove: a sub-folder, relative; "" is DefaultMoveTo
	Paused bool     `json:"paused,omitempty"`
	// Added is when the folder was first saved: files uploaded before it
	// (by hand, by another folder) never get its after-upload action.
	Added time.Time `json:"added"`
}

// Normal is f with its defaults filled in and its extensions written one
// way, or a sentence saying what is wrong with it. The destination is
// SaveWatchFolder's to check.
func (f WatchFolder) Normal() (WatchFolder, error) {
	if !filepath.IsAbs(f.Dir) {
		return f, fault.New(fault.CodeBadSetting, "The watch folder %q must be an absolute path.", f.Dir)
	}
	f.Dir = filepath.Clean(f.Dir)
	if f.Settle < 0 {
		return f, fault.New(fault.CodeBadSetting, "The settle time of %s cannot be negative (%s).", f.Dir, f.Settle)
	}
	if f.Settle == 0 {
		f.Settle = DefaultSettle
	}
	if f.After == "" {
		f.After = AfterKeep
	}
	if _, err := ParseAfter(string(f.After)); err != nil {
		return f, err
	}
	if f.After == AfterMove {
		if f.MoveTo == "" {
			f.MoveTo = DefaultMoveTo
		}
		m := filepath.Clean(f.MoveTo)
		if filepath.IsAbs(m) || m == "." || m == ".." || strings.HasPrefix(m, ".."+string(filepath.Separator)) {
			return f, fault.New(fault.CodeBadSetting, "Uploaded files are moved into a sub-folder of %s; %q is not one (try %q).", f.Dir, f.MoveTo, DefaultMoveTo)
		}
		f.MoveTo = m
	} else {
		f.MoveTo = ""
	}
	exts, err := NormalExts(f.Exts)
	if err != nil {
		return f, err
	}
	f.Exts = exts
	return f, nil
}

// NormalExts writes extensions one way: lower case, no dot, each once, in
// order; nil or empty means VideoExts. "*" takes every file.
func NormalExts(exts []string) ([]string, error) {
	var out []string
	for _, x := range exts {
		x = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(x), "."))
		switch {
		case x == "":
			continue
		case x == "*":
			return []string{"*"}, nil
		case strings.ContainsAny(x, `/\`+"*?"):
			return nil, fault.New(fault.CodeBadSetting, "%q is not a file extension (write mp4 or .mp4).", x)
		}
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return slices.Clone(VideoExts), nil
	}
	return out, nil
}

// WatchCounts are what a watch folder has done since it was added. They
// are kept in its record, so a restart does not reset them; removing the
// folder forgets them.
type WatchCounts struct {
	Uploaded int   `json:"uploaded,omitempty"` // files it uploaded
	Bytes    int64 `json:"bytes,omitempty"`    // their sizes, summed
}
