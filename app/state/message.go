package state

import "github.com/restoredoctor/restoredoctor/internal/i18n"

// MessageError is an error the user reads: its text is the message with
// this ID (assets/lang/app.*.json) in the current language, looked up each
// time it is read, so a window that switches language says it anew. Being
// a comparable value, errors.Is finds it like any sentinel.
type MessageError string

func (e MessageError) Error() string { return i18n.T(string(e)) }
