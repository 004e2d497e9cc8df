package localfile

// Busy reports whether another program holds path open for writing, or
// locked against reading: on Windows, a video whose export is still
// running. Such a file is sent once its maker closes it, not before. Unix
// keeps no such record; there the settle time (the file has stopped
// growing) stands in, and Busy is always false.
func Busy(path string) bool { return busy(path) }
