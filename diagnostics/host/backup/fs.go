package backup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// FS is the file system as the scanner uses it. None of its methods follows
// a symbolic link in the last element of a path (the location folder itself
// may be reached through one: people move their backups with a link).
type FS interface {
	// ReadDir lists a directory (os.ReadDir: entries are not followed).
	ReadDir(path string) ([]fs.DirEntry, error)
	// Lstat describes path without following a final symbolic link.
	Lstat(path string) (fs.FileInfo, error)
	// ReadFile reads a regular file of at most max bytes; a larger one is an
	// error wrapping ErrTooLarge, a link or non-regular file one wrapping
	// ErrNotRegular.
	ReadFile(path string, max int64) ([]byte, error)
}

// Errors of ReadFile; test with errors.Is.
var (
	ErrTooLarge   = errors.New("file too large")
	ErrNotRegular = errors.New("not a regular file")
)

// OS is the real file system.
type OS struct{}

// ReadDir implements FS.
func (OS) ReadDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }

// Lstat implements FS.
func (OS) Lstat(path string) (fs.FileInfo, error) { return os.Lstat(path) }

// ReadFile implements FS: lstat first (no link, no device, no FIFO, size
// within max), then at most max+1 bytes are read, so a file that grew in
// between is still refused.
func (OS) ReadFile(path string, max int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", path, ErrTooLarge, fi.Size(), max)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return b, nil
}
