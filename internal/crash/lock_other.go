//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package crash

import (
	"errors"
	"os"
)

// supported: without file locks a live run's file cannot be told from
// one whose run ended, so there are no crash reports here.
const supported = false

func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }
func unlockFile(*os.File)            {}
func lockDir(string) (func(), error) { return nil, errors.ErrUnsupported }
