//go:build !linux

// Command uibench measures Ferry's real window under Xvfb: Linux only
// (see main.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "uibench: the window's figures are measured under Xvfb, on Linux only")
	os.Exit(1)
}
