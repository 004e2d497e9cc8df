package tustest

// TB is what the stand-ins need of their user: *testing.T and *testing.B
// are one, and so is tools/standins', which serves them for trying Ferry
// by hand.
type TB interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}
