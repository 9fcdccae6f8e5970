// Package display tells whether the window can open: whether a graphical
// display is reachable, checked before Fyne starts (which panics without
// one), so the user reads a clear message instead of a stack trace.
package display

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ErrNoDisplay means the window cannot open: no graphical display is
// reachable (for example over SSH without X forwarding). Check's errors
// match it with errors.Is and say why in the current language.
var ErrNoDisplay = errors.New("no graphical display")

// noDisplay is Check's error: the reason in the user's words, ErrNoDisplay
// for errors.Is.
type noDisplay struct{ msg string }

func (e *noDisplay) Error() string { return e.msg }
func (e *noDisplay) Unwrap() error { return ErrNoDisplay }

func noDisplayErr(id string, args i18n.Args) error {
	return &noDisplay{msg: i18n.T(id, args)}
}

// displayDialTimeout bounds the probe of the X server.
const displayDialTimeout = 2 * time.Second

// Hint is what the user reads instead of a GLFW panic: err (Check's) and
// how to run the check without a window, ending in a newline.
func Hint(err error) string {
	return i18n.T("app.display.hint", i18n.Args{"Err": err}) + "\n"
}

// Check reports ErrNoDisplay (wrapped, with the reason) when the
// window could not open on this system. Windows and macOS always have a
// display; elsewhere Fyne draws through X11, so DISPLAY must name an X server
// that accepts a connection (checked with a deadline, then closed).
func Check(ctx context.Context, goos string, getenv func(string) string) error {
	if goos == "windows" || goos == "darwin" || goos == "android" || goos == "ios" {
		return nil
	}
	disp := getenv("DISPLAY")
	if disp == "" {
		if getenv("WAYLAND_DISPLAY") != "" {
			return noDisplayErr("app.display.wayland_only", nil)
		}
		return noDisplayErr("app.display.unset", nil)
	}
	network, addrs, err := xAddresses(disp)
	if err != nil {
		return noDisplayErr("app.display.malformed", i18n.Args{"Display": strconv.Quote(disp), "Err": err})
	}
	ctx, cancel := context.WithTimeout(ctx, displayDialTimeout)
	defer cancel()
	var d net.Dialer
	var lastErr error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, a)
		if err == nil {
			c.Close()
			return nil
		}
		lastErr = err
	}
	return noDisplayErr("app.display.no_server", i18n.Args{"Display": strconv.Quote(disp), "Err": lastErr})
}

// xAddresses turns an X display name ("[host]:N[.screen]", "unix:N",
// "/path/to/socket:N" as XQuartz writes it) into the addresses to dial.
func xAddresses(disp string) (network string, addrs []string, err error) {
	if strings.HasPrefix(disp, "/") {
		// A socket path, possibly followed by ":N[.screen]".
		path := disp
		if i := strings.LastIndexByte(disp, ':'); i > 0 {
			path = disp[:i]
		}
		return "unix", []string{path}, nil
	}
	i := strings.LastIndexByte(disp, ':')
	if i < 0 {
		return "", nil, errors.New(i18n.T("app.display.form"))
	}
	host, num := disp[:i], disp[i+1:]
	if j := strings.IndexByte(num, '.'); j >= 0 {
		num = num[:j]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > 59535 {
		return "", nil, errors.New(i18n.T("app.display.number", i18n.Args{"Number": strconv.Quote(num)}))
	}
	host = strings.TrimPrefix(host, "tcp/")
	if host == "" || host == "unix" {
		sock := "/tmp/.X11-unix/X" + strconv.Itoa(n)
		// The file-system socket, then the Linux abstract one X servers also open.
		addrs := []string{sock}
		if runtime.GOOS == "linux" {
			addrs = append(addrs, "@"+sock)
		}
		return "unix", addrs, nil
	}
	return "tcp", []string{net.JoinHostPort(host, strconv.Itoa(6000+n))}, nil
}
