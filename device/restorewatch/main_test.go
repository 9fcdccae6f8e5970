package restorewatch

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a recording leaves a goroutine behind
// (the Listen stream, the poll loop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
