//go:build unix && !darwin

package main

// maxrssUnit: Linux and the BSDs count ru_maxrss in KiB.
const maxrssUnit = 1024
