package app

import (
	"context"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
)

// ActionRunner is implemented by Backends that can act on a phone (exit or
// enter recovery mode, restart). RunAction does the action with its policy
// and deadlines and follows the phone until it is back; it is called from
// a background goroutine and must return by ctx's end. Which actions are
// offered when is the state's (state.State.Offered); the window runs the
// one the state says runs (effects).
type ActionRunner interface {
	RunAction(ctx context.Context, kind actions.Kind, dev viewmodel.Device) actions.Result
}
