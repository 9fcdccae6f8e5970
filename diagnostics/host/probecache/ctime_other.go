//go:build !linux && !darwin

package probecache

import "io/fs"

// changeTime is 0 where the stamp has no change time (Windows: size and
// modification time only).
func changeTime(fs.FileInfo) int64 { return 0 }
