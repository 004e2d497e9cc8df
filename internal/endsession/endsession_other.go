//go:build !windows

package endsession

func notify(func()) func() { return func() {} }
