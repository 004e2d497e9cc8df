package fault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// The code, the kind and the cause of an error are found through any
// wrapping; the sentence is the error's text, and its cause is reachable
// without being part of it.
func TestCodeKindAndCauseAreFoundThroughWrapping(t *testing.T) {
	_, statErr := os.Stat("/no/such/ferry/file")
	e := Wrap(CodeFileGone, statErr, "%s does not exist.", "/no/such/ferry/file")
	wrapped := fmt.Errorf("adding: %w", e)
	if CodeOf(wrapped) != CodeFileGone || KindOf(wrapped) != Permanent {
		t.Fatalf("code %q kind %v through wrapping", CodeOf(wrapped), KindOf(wrapped))
	}
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Fatal("the cause is not reachable")
	}
	if e.Error() != "/no/such/ferry/file does not exist." {
		t.Fatalf("sentence %q", e.Error())
	}
	if got, want := Cause(wrapped), strings.TrimSuffix(statErr.(*fs.PathError).Err.Error(), "."); got != want {
		t.Fatalf("Cause = %q; want the innermost error's words, %q", got, want)
	}
	plain := errors.New("no code")
	if CodeOf(plain) != CodeNone || KindOf(plain) != Transient || Cause(nil) != "" {
		t.Fatal("an error made elsewhere has no code and is transient")
	}
	if n := New(CodeUsage, "Give %d file.", 1); n.Err != nil || n.Kind != Permanent || n.Msg != "Give 1 file." {
		t.Fatalf("New: %+v", n)
	}
}
