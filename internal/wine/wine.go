// Package wine tells a test whether it runs under Wine, where Ferry's
// Windows build is tested here, and skips what cannot pass there because
// of Wine itself, naming the limit. On real Windows, and elsewhere,
// nothing is skipped.
package wine

import "testing"

// Running: this process runs under Wine.
func Running() bool { return running() }

// Skip skips t under Wine, saying which of Wine's limits the test meets.
func Skip(t testing.TB, limit string) {
	t.Helper()
	if Running() {
		t.Skip("Wine: " + limit)
	}
}
