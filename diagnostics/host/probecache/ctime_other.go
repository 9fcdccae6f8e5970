//go:build !linux && !darwin

package probecache

import "io/fs"

// changeTime is 0 where the stamp has no change time (Windows: size and
// modification time only).
func changeTime(fs.FileInfo) int64 { return 0 }

// inode is 0 where the stamp has no inode number.
func inode(fs.FileInfo) uint64 { return 0 }

// ownedByUs: no owner check here (the cache directory is the user's own
// %LocalAppData%).
func ownedByUs(fs.FileInfo) error { return nil }
