//go:build unix

package phonelock

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes flock(LOCK_EX|LOCK_NB) on f: the lock belongs to the open
// file description, so a second open of the same file, even in this
// process, does not get it.
func lockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return ErrHeld
		}
		return err
	}
}
