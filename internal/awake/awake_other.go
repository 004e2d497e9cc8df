//go:build !linux && !darwin && !windows

package awake

import (
	"fmt"
	"runtime"
)

type platform struct{}

func (platform) take(app, reason string) error {
	return fmt.Errorf("Cannot keep the computer awake: Ferry has no way to do that on %s", runtime.GOOS)
}

func (platform) release() error { return nil }
func (platform) close()         {}
