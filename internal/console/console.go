// Package console gives Ferry's Windows build, a GUI program that opens
// no console window of its own when started from the Start menu, the
// console of the terminal it was started from, so that `ferry upload` and
// the other commands print there. Elsewhere it does nothing.
package console
