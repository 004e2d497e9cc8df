//go:build !linux

// Command e2e runs Ferry's real window end to end under Xvfb with a
// private D-Bus session: Linux only (see main.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "e2e: the end-to-end test of the window runs on Linux only (Xvfb, D-Bus, XDND)")
	os.Exit(2)
}
