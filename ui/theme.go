package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// ferryTheme is Fyne's default theme with the colours that fail WCAG AA
// replaced: every text colour reads at 4.5:1 or more on the surfaces it
// is drawn on (window, dialogs, hovered and selected rows, entries,
// buttons, focused buttons, selects and menu items), and focus and input
// borders stand out at 3:1. theme_test.go lists those pairs. Sizes,
// fonts and icons are Fyne's.
type ferryTheme struct {
	fyne.Theme
	forced  bool // light or dark whatever Fyne asks for
	variant fyne.ThemeVariant
}

// newTheme is the theme for the Appearance setting: "light" or "dark"
// force that variant; anything else ("system") follows the variant Fyne
// passes (the desktop's preference).
func newTheme(choice string) fyne.Theme {
	t := &ferryTheme{Theme: theme.DefaultTheme()}
	switch choice {
	case "light":
		t.forced, t.variant = true, theme.VariantLight
	case "dark":
		t.forced, t.variant = true, theme.VariantDark
	}
	return t
}

func (t *ferryTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	p := darkColors
	if v == theme.VariantLight {
		p = lightColors
	}
	if c, ok := p[n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// The colours Ferry sets; the rest are Fyne's. Primary, focus and
// selection are fixed rather than taken from the user's Fyne accent
// colour, which the contrast could not be promised for. Focus is a
// translucent fill in Fyne (buttons, selects, menu items, checks), so it
// must stand out from the background and still carry text.
var (
	lightColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameForeground:          themeRGB(0x1f, 0x1f, 0x1f),
		theme.ColorNamePlaceHolder:         themeRGB(0x5e, 0x5e, 0x5e),
		theme.ColorNameDisabled:            themeRGB(0x5e, 0x5e, 0x5e), // also LowImportance labels
		theme.ColorNameSuccess:             themeRGB(0x1e, 0x6b, 0x24),
		theme.ColorNameWarning:             themeRGB(0x96, 0x4a, 0x00),
		theme.ColorNameError:               themeRGB(0xb3, 0x26, 0x1e),
		theme.ColorNamePrimary:             themeRGB(0x0b, 0x57, 0xd0),
		theme.ColorNameHyperlink:           themeRGB(0x0b, 0x57, 0xd0),
		theme.ColorNameForegroundOnPrimary: themeRGB(0xff, 0xff, 0xff),
		theme.ColorNameFocus:               color.NRGBA{R: 0x0c, G: 0x5f, B: 0xe4, A: 0xb8},
		theme.ColorNameSelection:           color.NRGBA{R: 0x00, G: 0x6c, B: 0xff, A: 0x33},
		theme.ColorNameInputBorder:         themeRGB(0x87, 0x87, 0x87),
	}
	darkColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameForeground:          themeRGB(0xff, 0xff, 0xff),
		theme.ColorNameDisabled:            themeRGB(0xa0, 0xa0, 0xa0),
		theme.ColorNameError:               themeRGB(0xff, 0x7a, 0x70),
		theme.ColorNamePrimary:             themeRGB(0x7a, 0xa7, 0xff),
		theme.ColorNameHyperlink:           themeRGB(0x7a, 0xa7, 0xff),
		theme.ColorNameForegroundOnPrimary: themeRGB(0x17, 0x17, 0x18),
		theme.ColorNameFocus:               color.NRGBA{R: 0x52, G: 0x8c, B: 0xff, A: 0xbc},
		theme.ColorNameSelection:           color.NRGBA{R: 0x00, G: 0x6c, B: 0xff, A: 0x40},
		theme.ColorNameInputBorder:         themeRGB(0x6f, 0x6f, 0x6f),
	}
)

func themeRGB(r, g, b uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: 0xff} }
