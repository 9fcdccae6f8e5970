// Package display tells whether the window can open: whether a graphical
// display is reachable, checked before Fyne starts (which panics without
// one), so the user reads a clear message instead of a stack trace.
package display

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrNoDisplay means the window cannot open: no graphical display is
// reachable (for example over SSH without X forwarding).
var ErrNoDisplay = errors.New("no graphical display")

// displayDialTimeout bounds the probe of the X server.
const displayDialTimeout = 2 * time.Second

// Hint is what the user reads instead of a GLFW panic (a format for the
// error).
const Hint = `restoredoctor: %v.
The Restore Doctor window needs a graphical desktop. Without one, run the same check in the terminal:
  restoredoctor check          (add --json for a machine-readable report)
`

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
			return fmt.Errorf("%w: DISPLAY is not set (this build draws through X11; start Xwayland or an X session)", ErrNoDisplay)
		}
		return fmt.Errorf("%w: DISPLAY is not set", ErrNoDisplay)
	}
	network, addrs, err := xAddresses(disp)
	if err != nil {
		return fmt.Errorf("%w: DISPLAY=%q: %v", ErrNoDisplay, disp, err)
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
	return fmt.Errorf("%w: no X server answers at DISPLAY=%q (%v)", ErrNoDisplay, disp, lastErr)
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
		return "", nil, errors.New("not of the form host:display")
	}
	host, num := disp[:i], disp[i+1:]
	if j := strings.IndexByte(num, '.'); j >= 0 {
		num = num[:j]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > 59535 {
		return "", nil, fmt.Errorf("display number %q is not a number", num)
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
