// Ferry uploads big files over tus, resumably. See README.md.
package main

import (
	"os"

	"github.com/ferry-app/ferry/app"
)

func main() { os.Exit(app.Run(os.Args)) }
