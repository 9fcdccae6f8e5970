//go:build !unix

package restorewatch

import "time"

// cpuTime is 0 where getrusage is not there: the benchmark's cpu-% then
// reads 0, and its README number comes from Linux.
func cpuTime() time.Duration { return 0 }
