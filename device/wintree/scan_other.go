//go:build !windows

package wintree

import (
	"context"
	"errors"
)

// ErrNotWindows is what Scan returns outside Windows: there is no Windows device tree.
var ErrNotWindows = errors.New("wintree: the Windows device tree exists only on Windows")

// Scan returns ErrNotWindows: see scan_windows.go.
func Scan(ctx context.Context) ([]Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, ErrNotWindows
}
