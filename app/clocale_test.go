package app

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// In the C locale (servers, CI, cron) the window's toolkit would complain
// of a locale it cannot parse on every command, before main runs:
// internal/clocale puts that right first. Go initialises packages in the
// order of their import paths once their imports are (the language
// specification, since Go 1.21); this test holds the build to it.
func TestCLocaleIsQuiet(t *testing.T) {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANGUAGE=") {
			env = append(env, kv)
		}
	}
	for _, lang := range []string{"C", "POSIX", "C.UTF-8", ""} {
		cmd := exec.Command(ferryBin, "help")
		cmd.Env = append(env, "LANG="+lang)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("LANG=%s: %v\n%s", lang, err, out)
		}
		if strings.Contains(string(out), "locale") {
			t.Fatalf("LANG=%s: the toolkit complains:\n%s", lang, out)
		}
	}
}
