package diagnostics

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Fact is a value gathered once during a run (a USB snapshot, the usbmuxd
// listing, …) that several checks read. Checks that depend on another
// check's input wait on the Fact instead of sharing globals; the producer
// always settles it, with a value or an error, so no reader waits past its
// own deadline.
type Fact[T any] struct {
	once sync.Once
	done chan struct{}
	v    T
	err  error
}

// NewFact returns an unsettled Fact.
func NewFact[T any]() *Fact[T] {
	return &Fact[T]{done: make(chan struct{})}
}

// Set settles the fact; later calls are ignored.
func (f *Fact[T]) Set(v T, err error) {
	f.once.Do(func() {
		f.v, f.err = v, err
		close(f.done)
	})
}

// Get waits until the fact is settled or ctx is done.
func (f *Fact[T]) Get(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s: %w", i18n.T("findings.error.input_wait"), context.Cause(ctx))
	}
}

// Settled reports whether the fact has been set.
func (f *Fact[T]) Settled() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// Produce runs fn in a new goroutine under its own timeout and settles f
// with its result. A panic in fn settles f with an error, so readers never
// wait for a producer that died.
func Produce[T any](ctx context.Context, timeout time.Duration, f *Fact[T], what string, fn func(ctx context.Context) (T, error)) {
	go func() {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				var zero T
				f.Set(zero, fmt.Errorf("%s panicked: %v", what, p))
			}
		}()
		type res struct {
			v   T
			err error
		}
		ch := make(chan res, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					var zero T
					ch <- res{zero, fmt.Errorf("%s panicked: %v", what, p)}
				}
			}()
			v, err := fn(ctx)
			ch <- res{v, err}
		}()
		select {
		case r := <-ch:
			f.Set(r.v, r.err)
		case <-ctx.Done():
			// Give a context-honouring producer a moment to return its own,
			// more precise error before settling with the deadline.
			t := time.NewTimer(abandonGrace)
			defer t.Stop()
			select {
			case r := <-ch:
				f.Set(r.v, r.err)
			case <-t.C:
				var zero T
				f.Set(zero, fmt.Errorf("%s did not finish within %v: %w", what, timeout, context.Cause(ctx)))
			}
		}
	}()
}
