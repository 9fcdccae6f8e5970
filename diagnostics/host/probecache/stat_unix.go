//go:build linux || darwin

package probecache

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// inode is the file's inode number (st_ino).
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// ownedByUs refuses a cache file that another user owns or that group or
// others may write: its answers could be planted.
func ownedByUs(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%w: owned by uid %d", ErrUntrusted, st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: mode %v", ErrUntrusted, fi.Mode().Perm())
	}
	return nil
}
