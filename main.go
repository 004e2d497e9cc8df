// Ferry uploads big files over tus, resumably. See README.md.
package main

import (
	"os"

	"github.com/ferry-app/ferry/app"
	_ "github.com/ferry-app/ferry/internal/clocale" // before Fyne's locale lookup
	"github.com/ferry-app/ferry/internal/console"
)

func main() {
	console.Attach() // Windows: a GUI program started from a terminal prints there
	os.Exit(app.Run(os.Args))
}
