//go:build !windows

package localfile

func busy(string) bool { return false }

func isSharingViolation(error) bool { return false }
