// Package autostart starts Ferry when the user logs in, so uploads left
// in the queue go on after a reboot without anyone opening the window.
package autostart

// Entry is Ferry's login item.
type Entry struct {
	ID      string   // reverse-DNS id, e.g. "app.ferry.Ferry"; names the file and the icon
	Name    string   // shown in the desktop's list of startup applications
	Comment string   // a line saying what starting it does
	Exec    string   // absolute path of the program
	Args    []string // arguments after it, e.g. "--hidden"
}
