//go:build !linux || !cgo

package mallocarena

// Arenas returns 0: no glibc here, nothing is set.
func Arenas() int { return 0 }

func mallocOnThreads(int) int { return 0 }
