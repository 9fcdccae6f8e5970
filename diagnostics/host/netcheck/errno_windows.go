//go:build windows

package netcheck

import (
	"errors"
	"io"
	"syscall"
)

// Winsock error numbers (winerror.h); syscall does not name all of them.
const (
	wsaeconnreset   syscall.Errno = 10054
	wsaenetunreach  syscall.Errno = 10051
	wsaehostunreach syscall.Errno = 10065
	wsaeconnrefused syscall.Errno = 10061
)

func isRefused(err error) bool {
	return errors.Is(err, wsaeconnrefused) || errors.Is(err, syscall.ECONNREFUSED)
}

func isUnreachable(err error) bool {
	return errors.Is(err, wsaenetunreach) || errors.Is(err, wsaehostunreach)
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, wsaeconnreset) || errors.Is(err, syscall.ECONNRESET)
}
