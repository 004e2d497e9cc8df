package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// contrastPair is a colour drawn over a stack of surfaces (the first
// opaque, the others composited over it, as Fyne blends translucent
// fills): the contrast is between the colour on the stack and the stack.
type contrastPair struct {
	fg    fyne.ThemeColorName
	on    []fyne.ThemeColorName
	min   float64 // 4.5 for text, 3 for focus and borders (WCAG 1.4.3, 1.4.11)
	where string
}

// contrastPairs lists what Ferry's widgets draw on what.
func contrastPairs() []contrastPair {
	const (
		bg        = theme.ColorNameBackground
		overlay   = theme.ColorNameOverlayBackground // dialogs
		menu      = theme.ColorNameMenuBackground
		input     = theme.ColorNameInputBackground
		button    = theme.ColorNameButton
		disButton = theme.ColorNameDisabledButton
		hover     = theme.ColorNameHover
		sel       = theme.ColorNameSelection
		focus     = theme.ColorNameFocus
		fg        = theme.ColorNameForeground
		primary   = theme.ColorNamePrimary
		success   = theme.ColorNameSuccess
		warning   = theme.ColorNameWarning
		danger    = theme.ColorNameError
		link      = theme.ColorNameHyperlink
		disabled  = theme.ColorNameDisabled
		hint      = theme.ColorNamePlaceHolder
		border    = theme.ColorNameInputBorder
	)
	// Label colours (widget.Label's Importance; Low draws in Disabled)
	// on the surfaces labels and rows sit on: the list draws a hovered
	// (or keyboard-focused) row in Hover, a selected one in Selection.
	labelColours := []struct {
		name fyne.ThemeColorName
		what string
	}{
		{fg, "text (Medium)"},
		{success, "Done state line (Success)"},
		{warning, "waiting state line (Warning)"},
		{danger, "failed state line, problems (Danger)"},
		{primary, "High importance label"},
		{link, "hyperlink (Check the destination)"},
		{disabled, "Low importance label, disabled text"},
		{hint, "form hints, helper text"},
	}
	surfaces := []struct {
		on   []fyne.ThemeColorName
		what string
	}{
		{[]fyne.ThemeColorName{bg}, "window"},
		{[]fyne.ThemeColorName{bg, hover}, "hovered row"},
		{[]fyne.ThemeColorName{bg, sel}, "selected row"},
		{[]fyne.ThemeColorName{overlay}, "dialog"},
		{[]fyne.ThemeColorName{overlay, hover}, "hovered row in a dialog"},
		{[]fyne.ThemeColorName{overlay, sel}, "selected row in a dialog"},
	}
	var pairs []contrastPair
	for _, c := range labelColours {
		for _, s := range surfaces {
			pairs = append(pairs, contrastPair{c.name, s.on, 4.5, c.what + " on " + s.what})
		}
	}
	on := func(n ...fyne.ThemeColorName) []fyne.ThemeColorName { return n }
	return append(pairs, []contrastPair{
		// Entries.
		{fg, on(input), 4.5, "entry text"},
		{fg, on(input, sel), 4.5, "selected entry text"},
		{hint, on(input), 4.5, "entry placeholder"},
		{disabled, on(input), 4.5, "disabled entry text"},
		{danger, on(input), 4.5, "red text in an entry's box"},
		// Buttons: Medium and Low, hovered and focused (Fyne blends
		// Hover or Focus over the button's colour).
		{fg, on(bg, button), 4.5, "button"},
		{fg, on(bg, button, hover), 4.5, "hovered button"},
		{fg, on(bg, button, focus), 4.5, "focused button"},
		{fg, on(overlay, button, focus), 4.5, "focused button in a dialog"},
		{disabled, on(bg, disButton), 4.5, "disabled button"},
		{theme.ColorNameForegroundOnPrimary, on(primary), 4.5, "High importance button, progress bar text"},
		{theme.ColorNameForegroundOnPrimary, on(primary, hover), 4.5, "hovered High button"},
		{theme.ColorNameForegroundOnPrimary, on(primary, focus), 4.5, "focused High button"},
		{theme.ColorNameForegroundOnError, on(danger), 4.5, "Danger button"},
		{theme.ColorNameForegroundOnError, on(danger, hover), 4.5, "hovered Danger button"},
		{theme.ColorNameForegroundOnError, on(danger, focus), 4.5, "focused Danger button"},
		{theme.ColorNameForegroundOnSuccess, on(success), 4.5, "Success button"},
		{theme.ColorNameForegroundOnSuccess, on(success, hover), 4.5, "hovered Success button"},
		{theme.ColorNameForegroundOnSuccess, on(success, focus), 4.5, "focused Success button"},
		{theme.ColorNameForegroundOnWarning, on(warning), 4.5, "Warning button"},
		{theme.ColorNameForegroundOnWarning, on(warning, hover), 4.5, "hovered Warning button"},
		{theme.ColorNameForegroundOnWarning, on(warning, focus), 4.5, "focused Warning button"},
		// Selects draw their text on InputBackground, Hover or Focus;
		// menus on MenuBackground, the active item on Focus.
		{fg, on(bg, input), 4.5, "select"},
		{fg, on(bg, hover), 4.5, "hovered select"},
		{fg, on(bg, focus), 4.5, "focused select"},
		{fg, on(overlay, focus), 4.5, "focused select in a dialog"},
		{fg, on(menu), 4.5, "menu item"},
		{fg, on(menu, focus), 4.5, "active menu item"},
		{disabled, on(menu), 4.5, "disabled menu item"},
		// Focus: a hyperlink's ring, the disc behind a focused check or
		// radio, the fill of a focused button, select or menu item.
		{focus, on(bg), 3, "focus ring, focused select"},
		{focus, on(overlay), 3, "focus ring in a dialog"},
		{focus, on(menu), 3, "active menu item"},
		{focus, on(bg, button), 3, "focused button against its unfocused colour (Fyne blends Focus over it)"},
		{focus, on(overlay, button), 3, "focused button in a dialog against its unfocused colour"},
		// An entry's border turns Primary on focus; a check box's
		// outline and an entry's border are InputBorder.
		{primary, on(input), 3, "focused entry border"},
		{border, on(bg), 3, "check box outline, entry border"},
		{border, on(overlay), 3, "check box outline, entry border in a dialog"},
	}...)
}

// contrastFailures measures every pair in th for variant v.
func contrastFailures(th fyne.Theme, v fyne.ThemeVariant, log func(string)) []string {
	var bad []string
	for _, p := range contrastPairs() {
		under := make([]color.Color, len(p.on))
		for i, n := range p.on {
			under[i] = th.Color(n, v)
		}
		back := wcagComposite(under...)
		front := wcagComposite(append(under, th.Color(p.fg, v))...)
		r := wcagContrast(front, back)
		line := fmt.Sprintf("%-30s on %-42s %5.2f (min %.1f)  %s", p.fg, strings.Join(colourNames(p.on), "+"), r, p.min, p.where)
		if log != nil {
			log(line)
		}
		if r < p.min {
			bad = append(bad, line)
		}
	}
	return bad
}

func colourNames(ns []fyne.ThemeColorName) []string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = string(n)
	}
	return s
}

// wcagComposite lays the colours over each other, the first taken as opaque,
// blending in sRGB as Fyne's painters do.
func wcagComposite(cs ...color.Color) [3]float64 {
	var out [3]float64
	for i, c := range cs {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		a := float64(n.A) / 255
		if i == 0 {
			a = 1
		}
		for k, v := range [3]uint8{n.R, n.G, n.B} {
			out[k] = a*float64(v) + (1-a)*out[k]
		}
	}
	return out
}

// wcagLuminance is WCAG 2's relative luminance of an sRGB colour (0..255).
func wcagLuminance(c [3]float64) float64 {
	var l [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.04045 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

func wcagContrast(a, b [3]float64) float64 {
	la, lb := wcagLuminance(a), wcagLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func themeVariantName(v fyne.ThemeVariant) string {
	if v == theme.VariantLight {
		return "light"
	}
	return "dark"
}

func TestThemeContrast(t *testing.T) {
	test.NewTempApp(t)
	th := newTheme("system")
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		var log func(string)
		if testing.Verbose() {
			log = func(s string) { t.Logf("%s: %s", themeVariantName(v), s) }
		}
		for _, f := range contrastFailures(th, v, log) {
			t.Errorf("%s: %s", themeVariantName(v), f)
		}
	}
}

// The check is not vacuous: Fyne's own green Done text is caught.
func TestThemeContrastCatchesFyneGreen(t *testing.T) {
	test.NewTempApp(t)
	th := &fyneGreenTheme{newTheme("light")}
	bad := contrastFailures(th, theme.VariantLight, nil)
	if len(bad) == 0 || !strings.Contains(bad[0], "success") {
		t.Fatalf("Fyne's green (#43f436) on white passed the contrast check: %q", bad)
	}
}

type fyneGreenTheme struct{ fyne.Theme }

func (g *fyneGreenTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameSuccess {
		return color.NRGBA{R: 0x43, G: 0xf4, B: 0x36, A: 0xff}
	}
	return g.Theme.Color(n, v)
}

func TestThemeChoice(t *testing.T) {
	test.NewTempApp(t)
	bg := theme.ColorNameBackground
	def := theme.DefaultTheme()
	light, dark := def.Color(bg, theme.VariantLight), def.Color(bg, theme.VariantDark)
	for _, c := range []struct {
		choice string
		asked  fyne.ThemeVariant
		want   color.Color
	}{
		{"light", theme.VariantDark, light},
		{"light", theme.VariantLight, light},
		{"dark", theme.VariantLight, dark},
		{"dark", theme.VariantDark, dark},
		{"system", theme.VariantLight, light},
		{"system", theme.VariantDark, dark},
		{"", theme.VariantDark, dark},
	} {
		if got := newTheme(c.choice).Color(bg, c.asked); got != c.want {
			t.Errorf("newTheme(%q) asked for %s: background %v, want %v", c.choice, themeVariantName(c.asked), got, c.want)
		}
	}
	// A forced variant reaches Ferry's own colours too.
	fg := theme.ColorNameForeground
	if got, want := newTheme("dark").Color(fg, theme.VariantLight), darkColors[fg]; got != want {
		t.Errorf("dark theme asked for light: foreground %v, want %v", got, want)
	}
	if got, want := newTheme("light").Color(fg, theme.VariantDark), lightColors[fg]; got != want {
		t.Errorf("light theme asked for dark: foreground %v, want %v", got, want)
	}
}

// TestThemeRendered draws a queue-like set of rows, buttons, an entry and
// a menu in both variants and measures the pixels of the coloured text:
// the strongest pixel of each label against the pixel beside it. Set
// FERRY_THEME_PNG to a folder to keep the pictures.
func TestThemeRendered(t *testing.T) {
	for _, choice := range []string{"light", "dark"} {
		t.Run(choice, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(newTheme(choice))

			type line struct {
				name, detail, state string
				imp                 widget.Importance
				fix                 string
			}
			lines := []line{
				{"holiday-2024.mp4", "1.2 GB", "Done · 1.2 GB in 3 min · https://videos.example/a1", widget.SuccessImportance, ""},
				{"interview raw.mov", "640 MB of 2.1 GB", "Offline — retrying in 4 s", widget.WarningImportance, ""},
				{"drone.mkv", "0 B of 880 MB", "Failed: the server refused the API token (401).", widget.DangerImportance, "Check the destination"},
				{"cat.webm", "12 MB of 90 MB", "Paused", widget.MediumImportance, ""},
			}
			states := map[int]*widget.Label{}
			links := map[int]*widget.Hyperlink{}
			list := widget.NewList(func() int { return len(lines) },
				func() fyne.CanvasObject {
					name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
					detail := widget.NewLabel("")
					detail.SizeName = theme.SizeNameCaptionText
					state := widget.NewLabel("")
					state.SizeName = theme.SizeNameCaptionText
					fix := widget.NewHyperlink("", nil)
					fix.SizeName = theme.SizeNameCaptionText
					b := newBar()
					return container.NewVBox(container.NewBorder(nil, nil, nil, detail, name), b, container.NewBorder(nil, nil, nil, fix, state))
				},
				func(i widget.ListItemID, o fyne.CanvasObject) {
					l := lines[i]
					box := o.(*fyne.Container)
					top := box.Objects[0].(*fyne.Container)
					top.Objects[0].(*widget.Label).SetText(l.name)
					top.Objects[1].(*widget.Label).SetText(l.detail)
					colour := theme.ColorNamePrimary
					switch l.imp {
					case widget.SuccessImportance:
						colour = theme.ColorNameSuccess
					case widget.WarningImportance:
						colour = theme.ColorNameWarning
					case widget.DangerImportance:
						colour = theme.ColorNameError
					}
					box.Objects[1].(*bar).set([]float64{1, 0.3, 0, 0.13}[i], colour)
					bottom := box.Objects[2].(*fyne.Container)
					state := bottom.Objects[0].(*widget.Label)
					state.Importance = l.imp
					state.SetText(l.state)
					fix := bottom.Objects[1].(*widget.Hyperlink)
					fix.SetText(l.fix)
					// The list re-binds its rows: keep each label under
					// the index it shows now.
					for j, s := range states {
						if s == state {
							delete(states, j)
						}
					}
					for j, f := range links {
						if f == fix {
							delete(links, j)
						}
					}
					states[i] = state
					if l.fix == "" {
						fix.Hide()
					} else {
						fix.Show()
						links[i] = fix
					}
					top.Refresh() // lay out again for the new texts, as row's renderer does
					bottom.Refresh()
				})

			add := widget.NewButtonWithIcon("Add files…", theme.FileIcon(), nil)
			all := widget.NewButton("All", nil)
			all.Importance = widget.HighImportance
			done := widget.NewButton("Done", nil)
			done.Importance = widget.LowImportance
			remove := widget.NewButton("Remove", nil)
			remove.Importance = widget.DangerImportance
			retry := widget.NewButton("Retry", nil)
			retry.Disable()
			dest := widget.NewSelect([]string{"Built-in receiver", "Cloudflare"}, nil)
			dest.SetSelected("Built-in receiver")
			search := widget.NewEntry()
			search.SetPlaceHolder("Search by name  (Ctrl+F)")
			hint := widget.NewLabel("Drop videos or folders here, or use Add files…")
			hint.Importance = widget.LowImportance
			check := widget.NewCheck("Close to the tray", nil)
			checked := widget.NewCheck("Notify when uploads end", nil)
			checked.SetChecked(true)

			content := container.NewBorder(
				container.NewVBox(
					container.NewHBox(add, all, done, remove, retry, widget.NewLabel("To"), dest),
					search, widget.NewSeparator()),
				container.NewVBox(widget.NewSeparator(), hint, container.NewHBox(check, checked)),
				nil, nil, list)
			w := test.NewTempWindow(t, widget.NewLabel(""))
			w.Resize(fyne.NewSize(900, 520))
			w.SetContent(content)
			list.Select(0) // Done, selected
			hovered := fyne.CurrentApp().Driver().AbsolutePositionForObject(states[1])
			test.MoveMouse(w.Canvas(), hovered.Add(fyne.NewPos(200, 2))) // Waiting, hovered
			w.Canvas().Focus(dest)

			img := w.Canvas().Capture()
			saveThemePNG(t, img, "ferry-theme-"+choice+".png")
			for i, l := range lines {
				if l.imp == widget.MediumImportance {
					continue
				}
				measureText(t, img, states[i], 4.5, fmt.Sprintf("%s %q (row %d)", choice, l.state, i))
			}
			for i, fix := range links {
				measureText(t, img, fix, 4.5, fmt.Sprintf("%s link in row %d", choice, i))
			}
			measureText(t, img, hint, 4.5, choice+" Low importance hint")
			measureText(t, img, dest, 4.5, choice+" focused select")

			// Second picture: a focused button and an open menu with its
			// first item under the mouse.
			w.Canvas().Focus(add)
			menu := fyne.NewMenu("", fyne.NewMenuItem("Copy link", nil), fyne.NewMenuItem("Show in folder", nil), fyne.NewMenuItem("Remove", nil))
			pos := fyne.NewPos(300, 200)
			widget.ShowPopUpMenuAtPosition(menu, w.Canvas(), pos)
			test.MoveMouse(w.Canvas(), pos.Add(fyne.NewPos(30, 15)))
			img = w.Canvas().Capture()
			saveThemePNG(t, img, "ferry-theme-"+choice+"-menu.png")
			measureText(t, img, add, 4.5, choice+" focused button")
		})
	}
}

// measureText finds the pixel of o that contrasts most with the pixel just
// inside its leading edge, halfway down (its background, before the text
// begins), and checks the ratio.
func measureText(t *testing.T, img image.Image, o fyne.CanvasObject, want float64, what string) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	p, s := d.AbsolutePositionForObject(o), o.Size()
	scale := float32(img.Bounds().Dx()) / d.CanvasForObject(o).Size().Width
	x0, y0 := int(p.X*scale), int(p.Y*scale)
	x1, y1 := int((p.X+s.Width)*scale), int((p.Y+s.Height)*scale)
	if x1 <= x0 || y1 <= y0 {
		t.Errorf("%s: not on screen", what)
		return
	}
	back := pixelAt(img, x0+3, (y0+y1)/2)
	best := 0.0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			best = max(best, wcagContrast(pixelAt(img, x, y), back))
		}
	}
	if testing.Verbose() {
		t.Logf("%s: %.2f on %v", what, best, back)
	}
	if best < want {
		t.Errorf("%s: strongest pixel contrasts %.2f with its background %v, want ≥ %.1f", what, best, back, want)
	}
}

func pixelAt(img image.Image, x, y int) [3]float64 {
	n := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return [3]float64{float64(n.R), float64(n.G), float64(n.B)}
}

func saveThemePNG(t *testing.T, img image.Image, name string) {
	dir := os.Getenv("FERRY_THEME_PNG")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", f.Name())
}
