package usbmux

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// EnvSocketAddress is the environment variable libimobiledevice and go-ios read
// for the usbmuxd address.
const EnvSocketAddress = "USBMUXD_SOCKET_ADDRESS"

// Address is where usbmuxd listens: Network is "unix" (Addr a socket path) or
// "tcp" (Addr host:port). It is always in a form net.Dial accepts.
type Address struct {
	Network string
	Addr    string
}

// String returns the address in the scheme://address form go-ios expects:
// "unix:///var/run/usbmuxd" or "tcp://127.0.0.1:27015".
func (a Address) String() string {
	if a.Network == "" && a.Addr == "" {
		return ""
	}
	return a.Network + "://" + a.Addr
}

// StartsOnDemand reports whether usbmuxd at addr is one the platform starts
// only while an iPhone is plugged in: the system socket on Linux, which udev
// activates. There "not running" with no phone connected is the normal state.
// A socket the user pointed us at (a simulator, a relay) is expected to run.
func StartsOnDemand(addr Address) bool {
	return startsOnDemandFor(runtime.GOOS, addr)
}

func startsOnDemandFor(goos string, addr Address) bool {
	return goos == "linux" && addr == defaultAddressFor(goos)
}

func defaultAddressFor(goos string) Address {
	if goos == "windows" {
		return Address{Network: "tcp", Addr: "127.0.0.1:27015"}
	}
	return Address{Network: "unix", Addr: "/var/run/usbmuxd"}
}

// ResolveAddress picks the usbmuxd address the way users expect: the flag
// value when set, else $USBMUXD_SOCKET_ADDRESS when set, else the platform
// default. The chosen string is parsed with ParseAddress; the error names the
// source it came from.
func ResolveAddress(flag string) (Address, error) {
	return resolveAddress(flag, os.Getenv(EnvSocketAddress), runtime.GOOS)
}

func resolveAddress(flag, env, goos string) (Address, error) {
	if strings.TrimSpace(flag) != "" {
		a, err := ParseAddress(flag)
		if err != nil {
			return Address{}, fmt.Errorf("usbmux: --usbmuxd: %w", err)
		}
		return a, nil
	}
	if strings.TrimSpace(env) != "" {
		a, err := ParseAddress(env)
		if err != nil {
			return Address{}, fmt.Errorf("usbmux: $%s: %w", EnvSocketAddress, err)
		}
		return a, nil
	}
	return defaultAddressFor(goos), nil
}

// AddressError says why a usbmuxd address string was rejected.
type AddressError struct {
	Input  string
	Reason string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("bad usbmuxd address %q: %s (want unix:///path, UNIX:/path, /path, host:port or tcp://host:port)", e.Input, e.Reason)
}

// ParseAddress accepts the forms users already write for libimobiledevice and
// go-ios: "UNIX:/path" and "unix:/path" (any case), "unix:///path", a bare
// "/path", "host:port", "[v6]:port" and "tcp://host:port". It never panics
// (go-ios does on a string without a scheme); hand go-ios only Address.String().
//
// Windows paths are paths too: C:\Users\me\mux.sock, C:/tmp/mux.sock,
// \\server\share\mux.sock and .\mux.sock are unix sockets, never host:port.
func ParseAddress(s string) (Address, error) {
	return parseAddress(s, false)
}

// ParseListenAddress is ParseAddress for a server that listens (the
// simulator): it also accepts TCP port 0, "pick a free port".
func ParseListenAddress(s string) (Address, error) {
	return parseAddress(s, true)
}

func parseAddress(s string, listen bool) (Address, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := func(reason string) (Address, error) { return Address{}, &AddressError{Input: in, Reason: reason} }
	if s == "" {
		return bad("empty")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return bad("contains a control character")
		}
	}
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, rest := strings.ToLower(s[:i]), s[i+3:]
		switch scheme {
		case "unix":
			return parseUnixPath(in, rest)
		case "tcp":
			return parseHostPort(in, rest, listen)
		default:
			return bad(fmt.Sprintf("unknown scheme %q", s[:i]))
		}
	}
	if len(s) >= 5 && strings.EqualFold(s[:5], "unix:") {
		return parseUnixPath(in, s[5:])
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "tcp:") {
		// "tcp:host:port" (libusbmuxd style); a plain "tcp:27015" is host "tcp".
		if a, err := parseHostPort(in, s[4:], listen); err == nil {
			return a, nil
		}
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || isWindowsPath(s) {
		return parseUnixPath(in, s)
	}
	if strings.Contains(s, ":") {
		return parseHostPort(in, s, listen)
	}
	return bad("neither a socket path nor host:port")
}

func parseUnixPath(in, p string) (Address, error) {
	if p == "" {
		return Address{}, &AddressError{Input: in, Reason: "empty socket path"}
	}
	if strings.ContainsRune(p, 0) {
		return Address{}, &AddressError{Input: in, Reason: "NUL in socket path"}
	}
	return Address{Network: "unix", Addr: p}, nil
}

// isWindowsPath reports whether s is a Windows file path: a drive letter
// followed by a separator (C:\… or C:/…), a UNC path (\\server\…) or a
// relative .\… or ..\…; "c:27015" stays host:port.
func isWindowsPath(s string) bool {
	if len(s) >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/') &&
		('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return true
	}
	return strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, `.\`) || strings.HasPrefix(s, `..\`)
}

func parseHostPort(in, hp string, listen bool) (Address, error) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return Address{}, &AddressError{Input: in, Reason: "not host:port"}
	}
	if host == "" && !listen {
		// To listen, an empty host means every interface (the simulator
		// refuses that unless told to: sim.CheckLoopback).
		return Address{}, &AddressError{Input: in, Reason: "empty host"}
	}
	if strings.ContainsAny(host, "/ ") {
		return Address{}, &AddressError{Input: in, Reason: "bad host"}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || (n == 0 && !listen) {
		return Address{}, &AddressError{Input: in, Reason: fmt.Sprintf("bad port %q", port)}
	}
	return Address{Network: "tcp", Addr: net.JoinHostPort(host, strconv.FormatUint(n, 10))}, nil
}
