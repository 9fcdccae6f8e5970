//go:build !unix && !windows

package phonelock

import (
	"errors"
	"os"
)

func lockFile(*os.File) error { return errors.New("no OS file lock on this platform") }
