package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Shortcuts of the window (Ctrl, or Cmd on macOS).
var (
	shortcutCheck  = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutExport = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutQuit   = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
)

func (u *UI) addShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(shortcutCheck, func(fyne.Shortcut) {
		u.CheckAgain() // the state ignores it while a check or an action runs
	})
	c.AddShortcut(shortcutExport, func(fyne.Shortcut) { u.Export(FormatMarkdown) })
	c.AddShortcut(shortcutQuit, func(fyne.Shortcut) { u.quit() })
}

// quit stops the background work and closes the window (once).
func (u *UI) quit() {
	u.Stop()
	if !u.closed {
		u.closed = true
		u.win.Close()
	}
}
