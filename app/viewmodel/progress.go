package viewmodel

import (
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ProgressView is the check's progress bar and the line under it.
type ProgressView struct {
	// Value is the bar's fill, 0 to 1.
	Value float64
	Text  string
}

// watchShare is the part of the bar that the sampling window fills: the
// window is nearly all of a check's time, the checks after it are quick.
const watchShare = 0.95

// BuildProgress is the progress of a running check, elapsed into it, with a
// stability sampling window of window (0: one pass) and done of total
// checks finished, label naming the running one.
//
// The rule: while the window runs, the bar follows the time that has passed
// and the line counts down the seconds left; the checks that end within the
// window do not move the bar ahead of time. After the window the bar's last
// part follows the finished checks. The label is shown as it is, without a
// count in brackets.
func BuildProgress(elapsed, window time.Duration, done, total int, label string) ProgressView {
	if label == "" {
		label = i18n.T("window.progress.starting")
	}
	frac := 0.0
	if total > 0 {
		frac = min(float64(done)/float64(total), 1)
	}
	if window <= 0 {
		return ProgressView{Value: frac, Text: i18n.T("window.progress.checking", i18n.Args{"Check": label})}
	}
	if elapsed < window {
		left := (window - max(elapsed, 0) + time.Second - 1) / time.Second
		return ProgressView{
			Value: watchShare * float64(max(elapsed, 0)) / float64(window),
			Text:  i18n.T("window.progress.watching", i18n.Args{"S": i18n.Int(int(left))}),
		}
	}
	return ProgressView{Value: watchShare + (1-watchShare)*frac, Text: i18n.T("window.progress.finishing", i18n.Args{"Check": label})}
}
