package localfile

import "testing"

func TestOneFileOneKeyHoweverItsNameIsTyped(t *testing.T) {
	nfc, nfd := "/Videos/caf\u00e9.mov", "/Videos/cafe\u0301.mov"
	cases := []struct {
		goos, a, b string
		same       bool
	}{
		{"darwin", nfc, nfd, true},
		{"darwin", "/Videos/Clip.MOV", "/videos/clip.mov", true},
		{"windows", `C:\Videos\Clip.MOV`, `c:\videos\clip.mov`, true},
		{"windows", `C:\Videos\Clip.MOV`, `\\?\C:\Videos\Clip.MOV`, true},
		{"windows", `C:\Videos\Clip.MOV`, `\\.\c:\Videos\Clip.MOV`, true},
		{"windows", `\\nas\edit\Clip.MOV`, `\\?\UNC\NAS\edit\clip.mov`, true},
		{"windows", `\\nas\edit\Clip.MOV`, `\\nas2\edit\Clip.MOV`, false},
		{"windows", `C:\Videos\Clip.MOV`, `D:\Videos\Clip.MOV`, false},
		{"linux", "/Videos/Clip.MOV", "/videos/clip.mov", false},
		{"linux", nfc, nfd, false},
		{"darwin", "/Videos/a.mov", "/Videos/b.mov", false},
	}
	for _, c := range cases {
		if got := pathKeyOn(c.goos, c.a) == pathKeyOn(c.goos, c.b); got != c.same {
			t.Errorf("%s: %q and %q one key = %v, want %v", c.goos, c.a, c.b, got, c.same)
		}
	}
	// The path itself is never changed, only its key.
	if pathKeyOn("linux", "\xff\xfe.mp4") != "\xff\xfe.mp4" {
		t.Error("a Linux path's key is not its bytes")
	}
}
