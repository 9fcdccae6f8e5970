package safefile

import (
	"io"
	"sync"
)

// StickyWriter passes writes to W until one fails, then fails every later
// write with the same error and calls OnError once (a command stops its
// work: output to /dev/full or a closed pipe must not be lost silently).
type StickyWriter struct {
	W       io.Writer
	OnError func(error)

	mu  sync.Mutex
	err error
}

// Write writes p to W unless an earlier write failed.
func (s *StickyWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.W.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.err = err
		if s.OnError != nil {
			s.OnError(err)
		}
	}
	return n, err
}

// Err returns the first write error, nil when every write succeeded.
func (s *StickyWriter) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
