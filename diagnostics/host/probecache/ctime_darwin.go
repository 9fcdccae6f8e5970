package probecache

import (
	"io/fs"
	"syscall"
)

// changeTime is the inode change time (st_ctimespec), which an upgrade
// always moves and which programs cannot set.
func changeTime(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctimespec.Nano()
	}
	return 0
}
