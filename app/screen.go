package app

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// ScreenSize is the primary monitor's size in Fyne units, zero when it
// cannot be told. Fyne has no API for it, so it asks GLFW, which Fyne
// initialised when it created w; like every GLFW call it must run on the
// main thread (cmd/restoredoctor calls it before ShowAndRun).
func ScreenSize(w fyne.Window) (size fyne.Size) {
	defer func() {
		if recover() != nil { // GLFW panics on its own errors
			size = fyne.Size{}
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}
	}
	vm := m.GetVideoMode()
	if vm == nil || vm.Width <= 0 || vm.Height <= 0 {
		return fyne.Size{}
	}
	scale := w.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	return fyne.NewSize(float32(vm.Width)/scale, float32(vm.Height)/scale)
}
