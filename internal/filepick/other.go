//go:build !(windows || darwin || linux || freebsd || openbsd || netbsd || dragonfly)

package filepick

import "context"

func files(context.Context, string, string) ([]string, error) { return nil, ErrUnavailable }

func folder(context.Context, string, string) (string, error) { return "", ErrUnavailable }
