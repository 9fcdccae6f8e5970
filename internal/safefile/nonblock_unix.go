//go:build unix

package safefile

import "syscall"

// nonBlock keeps Check from waiting for a reader on a FIFO (it fails with
// ENXIO instead when nobody reads).
const nonBlock = syscall.O_NONBLOCK
