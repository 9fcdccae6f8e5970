// Package safefile writes report files without damaging what is at the
// path: it refuses devices, FIFOs, sockets, directories and symlinks unless
// told otherwise, keeps the mode of a file it replaces, creates new files
// 0600 (a report may hold identifiers), and replaces regular files
// atomically (a temporary file beside the target, synced, then renamed).
// Check runs the same tests before any work starts, so a bad path fails in
// a second, not after a 30 s check.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Sentinel causes; test with errors.Is.
var (
	// ErrNotRegular: the path is a device, FIFO or socket.
	ErrNotRegular = errors.New("not a regular file")
	// ErrIsDir: the path is a directory.
	ErrIsDir = errors.New("is a directory")
	// ErrSymlink: the path is a symbolic link.
	ErrSymlink = errors.New("is a symbolic link")
	// ErrNoDir: the directory the file would go in does not exist or is not a directory.
	ErrNoDir = errors.New("its directory does not exist")
)

// Options relaxes the refusals.
type Options struct {
	// Special allows writing into a device, FIFO or socket in place (no
	// temporary file, no rename): /dev/stdout, a named pipe.
	Special bool
	// FollowSymlinks writes to the symlink's target instead of refusing it
	// (the target then passes the same tests).
	FollowSymlinks bool
}

// NewFileMode is the mode of a report file that did not exist.
const NewFileMode fs.FileMode = 0o600

// Error is a refused or failed write of Path.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("write %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// target is what is at a path, as Check found it.
type target struct {
	path    string      // the path to write (a symlink's target when followed)
	exists  bool        // a file is there
	special bool        // a device, FIFO or socket (Options.Special)
	mode    fs.FileMode // permission bits of an existing regular file
}

// Check tells whether Write(path) would be allowed, without writing: the
// directory exists and takes a new file, or the file is one Write may
// replace (or, with Options.Special, write into).
func Check(path string, opts Options) error {
	t, err := inspect(path, opts)
	if err != nil {
		return err
	}
	return probe(t)
}

func inspect(path string, opts Options) (target, error) {
	if path == "" {
		return target{}, &Error{Path: path, Err: errors.New("empty path")}
	}
	t := target{path: path}
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if !opts.FollowSymlinks {
			return t, &Error{Path: path, Err: ErrSymlink}
		}
		real, rerr := filepath.EvalSymlinks(path)
		if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return t, &Error{Path: path, Err: rerr}
		}
		if rerr != nil {
			// A dangling link: write where it points.
			dest, lerr := os.Readlink(path)
			if lerr != nil {
				return t, &Error{Path: path, Err: lerr}
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(path), dest)
			}
			real = dest
		}
		t.path = real
		fi, err = os.Lstat(real)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		dir := filepath.Dir(t.path)
		di, derr := os.Stat(dir)
		if derr != nil || !di.IsDir() {
			return t, &Error{Path: path, Err: fmt.Errorf("%w: %s", ErrNoDir, dir)}
		}
		return t, nil
	case err != nil:
		return t, &Error{Path: path, Err: err}
	case fi.IsDir():
		return t, &Error{Path: path, Err: ErrIsDir}
	case !fi.Mode().IsRegular():
		if !opts.Special {
			return t, &Error{Path: path, Err: fmt.Errorf("%w: it is %s (refused so it is not replaced)", ErrNotRegular, Kind(fi.Mode()))}
		}
		t.exists, t.special = true, true
		return t, nil
	}
	t.exists, t.mode = true, fi.Mode().Perm()
	return t, nil
}

// probe checks that the write can happen: a new file can be created beside
// the target, or the special file opened for writing (without blocking).
func probe(t target) error {
	if t.special {
		f, err := os.OpenFile(t.path, os.O_WRONLY|nonBlock, 0)
		if err != nil {
			return &Error{Path: t.path, Err: err}
		}
		return f.Close()
	}
	f, err := os.CreateTemp(filepath.Dir(t.path), "."+filepath.Base(t.path)+".*.tmp")
	if err != nil {
		return &Error{Path: t.path, Err: err}
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// Write writes data to path. A regular file (or a new one) is replaced
// atomically and keeps its permission bits (a new file gets NewFileMode);
// anything else is refused unless opts allows it (see Options).
func Write(path string, data []byte, opts Options) error {
	t, err := inspect(path, opts)
	if err != nil {
		return err
	}
	if t.special {
		f, err := os.OpenFile(t.path, os.O_WRONLY, 0)
		if err != nil {
			return &Error{Path: path, Err: err}
		}
		_, werr := f.Write(data)
		if err := errors.Join(werr, f.Close()); err != nil {
			return &Error{Path: path, Err: err}
		}
		return nil
	}
	mode := NewFileMode
	if t.exists {
		mode = t.mode
	}
	f, err := os.CreateTemp(filepath.Dir(t.path), "."+filepath.Base(t.path)+".*.tmp")
	if err != nil {
		return &Error{Path: path, Err: err}
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cherr := f.Chmod(mode)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, cherr, serr, cerr); err != nil {
		os.Remove(tmp)
		return &Error{Path: path, Err: err}
	}
	// The target may have changed since inspect: never rename over anything
	// but a regular file or nothing.
	if fi, err := os.Lstat(t.path); err == nil && !fi.Mode().IsRegular() {
		os.Remove(tmp)
		return &Error{Path: path, Err: fmt.Errorf("%w: it changed while the report was written", ErrNotRegular)}
	}
	if err := os.Rename(tmp, t.path); err != nil {
		os.Remove(tmp)
		return &Error{Path: path, Err: err}
	}
	return nil
}

// Kind names what a non-regular file is, in words for a message ("a
// directory", "a FIFO", "a character device"): the one wording of file
// types for every refusal to read or write one.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}
