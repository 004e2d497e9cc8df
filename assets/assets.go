// Package assets holds Ferry's icons, bundled into the binary.
package assets

import _ "embed"

// Icon is the application icon (PNG, 256×256).
//
//go:embed icon.png
var Icon []byte
