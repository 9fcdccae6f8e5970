// Package phonelock is the per-phone lock that keeps two Restore Doctor
// processes from acting on one iPhone at the same time: an exclusive lock
// the operating system holds on a small file (flock on Unix, LockFileEx on
// Windows), named after a hash of the phone's key. The OS drops the lock
// when the file is closed, when the process exits, and when it crashes or is
// killed, so a stale lock cannot outlive its holder (unlike a PID file). The
// file itself stays; it holds nothing.
package phonelock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrHeld: another process (or another Lock of this process) holds the lock.
var ErrHeld = errors.New("the lock is held by another process")

// Lock is a held per-phone lock.
type Lock struct {
	f    *os.File
	path string
}

// DefaultDir is where the lock files live: $XDG_RUNTIME_DIR/restoredoctor
// when XDG_RUNTIME_DIR is set (a per-user tmpfs on Linux), else
// <user cache dir>/restoredoctor/locks.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "restoredoctor"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("phonelock: no directory for lock files: %w", err)
	}
	return filepath.Join(d, "restoredoctor", "locks"), nil
}

// FileName is the lock file's name for key: "action-" and the first 32 hex
// digits of its SHA-256, so no identifier appears in the file system.
func FileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "action-" + hex.EncodeToString(sum[:16]) + ".lock"
}

// Acquire takes the lock for key in dir ("" is DefaultDir) without
// waiting: it fails with an error matching ErrHeld when another holder has
// it. The caller must Release it.
func Acquire(dir, key string) (*Lock, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("phonelock: %w", err)
	}
	path := filepath.Join(dir, FileName(key))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("phonelock: %w", err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("phonelock: %s: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Release drops the lock (closing the file drops it too).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
