package session

// Test helper.

// Overflow is the number of events the live view ignored because they
// concerned more phones than the session tracks.
func (s *Session) Overflow() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mon == nil {
		return 0
	}
	return s.mon.Overflow()
}
