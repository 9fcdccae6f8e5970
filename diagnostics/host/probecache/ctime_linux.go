package probecache

import (
	"io/fs"
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
