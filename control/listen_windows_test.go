package control

import (
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// The pipe lets in its user only: its access list names no one else.
func TestPipeIsTheUsersOnly(t *testing.T) {
	dir := dataDir(t)
	ln, _, err := listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(pipeName(dir), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("reading the pipe's security: %v", err)
	}
	sddl := sd.String()
	user := u.User.Sid.String()
	if !strings.Contains(sddl, ";;;"+user+")") {
		t.Fatalf("the pipe's access list %s does not name the user %s", sddl, user)
	}
	for _, ace := range strings.Split(sddl, "(")[1:] {
		if !strings.HasSuffix(strings.TrimSuffix(ace, ")"), ";"+user) && !strings.HasSuffix(ace, ";"+user+")") {
			t.Fatalf("the pipe lets in someone else: %s", sddl)
		}
	}
}
