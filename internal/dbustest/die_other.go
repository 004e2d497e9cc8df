//go:build !linux

package dbustest

import "os/exec"

func dieWithParent(*exec.Cmd) {} // only Linux can tie a child's life to its parent's
