// Package netserve is the accept loop of the project's test servers and
// benchmark fixtures (fake usbmuxds, stalling servers, echo floors): one
// goroutine per connection, and a wait that returns once every one is done.
// It imports only the standard library.
package netserve

import (
	"net"
	"sync"
)

// Serve accepts connections on ln until ln is closed and runs handle for
// each on its own goroutine, closing the connection when handle returns.
// The returned wait blocks until the loop and every handle have returned:
// close ln first.
func Serve(ln net.Listener, handle func(net.Conn)) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	return wg.Wait
}
