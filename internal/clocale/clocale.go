// Package clocale gives Fyne a locale it can parse when the process runs
// in the C/POSIX locale (servers, CI, cron): otherwise Fyne's lang package
// logs "Error parsing user locale C" at start, before main, for every
// command. It must be imported by main (blank) and import nothing but
// os: the language specification (since Go 1.21) initialises packages in
// import-path order once their imports are, and Fyne's lang imports
// golang.org/x/text, which sorts after this package, so this one runs
// first. app's TestCLocaleIsQuiet holds the built binary to it.
package clocale

import "os"

func init() {
	if os.Getenv("LC_ALL") != "" || os.Getenv("LC_MESSAGES") != "" {
		return
	}
	switch os.Getenv("LANG") {
	case "", "C", "POSIX", "C.UTF-8", "C.utf8":
		os.Setenv("LANG", "en_US.UTF-8")
	}
}
