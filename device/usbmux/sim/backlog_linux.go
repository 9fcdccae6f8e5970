package sim

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// ListenBacklog opens a unix-socket listener at path whose accept queue
// holds backlog connections (net.Listen always asks for the system
// maximum). With a small backlog and slow or no accepting, connecting fails
// with EAGAIN, as to a usbmuxd too busy to take connections: the busy
// usbmuxd of the client's, the command's and the fault suite's tests.
func ListenBacklog(path string, backlog int) (net.Listener, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sim: socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("sim: bind %s: %w", path, err)
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("sim: listen %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("sim: listen %s: %w", path, err)
	}
	return ln, nil
}
