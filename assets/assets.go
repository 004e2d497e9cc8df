// Package assets holds Ferry's icons, bundled into the binary.
//
// Plain byte slices, no Fyne: the headless build links this package too and
// must not pull Fyne in. The GUI wraps them (fyne.NewStaticResource).
// The PNGs are drawn by tools/icons: edit that and run `go run ./tools/icons`,
// never the PNGs by hand.
package assets

import _ "embed"

// Icon is the application icon (PNG, 512×512).
//
//go:embed icon.png
var Icon []byte

// Tray icons (PNG, 64×64, transparent), one per state of the queue, told
// apart by colour and by badge so that they differ at 22 pixels.
var (
	// TrayIdle: nothing to upload.
	//
	//go:embed tray-idle.png
	TrayIdle []byte

	// TrayUploading: uploads under way.
	//
	//go:embed tray-uploading.png
	TrayUploading []byte

	// TrayPaused: uploads waiting, paused by the user.
	//
	//go:embed tray-paused.png
	TrayPaused []byte

	// TrayAttention: an upload failed or needs the user.
	//
	//go:embed tray-attention.png
	TrayAttention []byte
)
