//go:build !linux && !darwin && !windows

package crash

func osDetails() string { return "" }
