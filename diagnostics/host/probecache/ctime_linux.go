package probecache

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// changeTime is the inode change time (st_ctim), which a package upgrade
// always moves and which programs cannot set.
func changeTime(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}

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
