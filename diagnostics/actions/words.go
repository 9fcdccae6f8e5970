package actions

// What the user reads about actions, in the current language
// (internal/i18n, messages "actions.*"): the refusal reasons, the one
// sentence an action ends with, and the names of the phone's modes. The
// sentinel errors' own texts stay English: they are for errors.Is and logs.

import (
	"errors"
	"math"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// reasonError is a policy error (one of the sentinels) with the reason in
// the user's words. Error is the sentinel's text and the reason, as before;
// Reason alone is what refusal summaries show.
type reasonError struct {
	sentinel error
	id       string
	args     i18n.Args
}

// because returns sentinel with the reason message id filled from args.
func because(sentinel error, id string, args ...i18n.Args) error {
	e := &reasonError{sentinel: sentinel, id: id}
	if len(args) > 0 {
		e.args = args[0]
	}
	return e
}

func (e *reasonError) Error() string { return e.sentinel.Error() + ": " + e.Reason() }

// Reason is the reason in the current language.
func (e *reasonError) Reason() string { return i18n.T(e.id, e.args) }

func (e *reasonError) Unwrap() error { return e.sentinel }

// Reason returns why the policy refused err, in the current language: the
// reason a refusal gives after its sentinel, or err's text when err carries
// none.
func Reason(err error) string {
	var re *reasonError
	if errors.As(err, &re) {
		return re.Reason()
	}
	return err.Error()
}

// isPolicy reports whether err is one of the policy's refusals, whose
// summary says everything.
func isPolicy(err error) bool {
	for _, s := range []error{ErrRestoreMode, ErrDFU, ErrNotApplicable, ErrBusy, ErrNotVisible, ErrModeUnconfirmed} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// ModeName names mode m as the user reads it ("recovery mode", "DFU mode").
func ModeName(m mode.Mode) string {
	switch m {
	case mode.Normal, mode.Restore, mode.Recovery, mode.DFU, mode.WTF, mode.PortDFU:
		return i18n.T("actions.mode." + string(m))
	}
	return i18n.T("actions.mode.unknown")
}

// seconds renders a duration as people say it, to the second, in the
// current language: "38 s", "2 min 5 s".
func seconds(d time.Duration) string {
	s := time.Duration(math.Round(d.Seconds())) * time.Second
	if s <= 0 {
		return i18n.T("unit.duration.s", i18n.Args{"S": i18n.Int(0)})
	}
	return i18n.Duration(s)
}

// withFailedLooks adds to sentence how many looks at the phone failed.
func withFailedLooks(sentence string, seen sightings) string {
	if seen.failed == 0 {
		return sentence
	}
	return i18n.T("actions.note", i18n.Args{"Sentence": sentence, "Note": i18n.N("actions.failed_looks", seen.failed)})
}
