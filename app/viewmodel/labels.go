package viewmodel

import (
	"fmt"
	"time"
)

// The window's fixed words: buttons, section titles, the answers, the
// progress line. They are here, not in the panes, so that a translation
// (issue 22) finds every user-visible string of the window in this package.
const (
	CheckNowLabel   = "Check now"
	CheckAgainLabel = "Check again"
	CheckingLabel   = "Checking…"
	QuickLabel      = "Quick check (10 s)"
	ThoroughLabel   = "Thorough (30 s)"

	KeyboardHelp = "Keyboard: Ctrl+R check again · Ctrl+E export the report · Ctrl+Q quit · Tab moves between controls, Space presses"

	SectionComputer = "This computer"
	SectionCheck    = "Check"
	SectionTried    = "I already tried"
	SectionExport   = "Export report"
	SectionChanges  = "Since the previous check"

	AnswerCableLabel    = "Another cable"
	AnswerPortLabel     = "Another USB port"
	AnswerComputerLabel = "Another computer"
	AnswerRestartLabel  = "Restarted iPhone and computer"

	IncludeIDsLabel   = "Include identifiers (serial number, UDID)"
	ExportMarkdown    = "Markdown…"
	ExportJSON        = "JSON…"
	ReportSavedTitle  = "Report saved"
	ChoosePhone       = "Choose a phone"
	DetailsTitle      = "Details (technical, for support staff)"
	StepDetailsTitle  = "Details"
	ShowHow           = "Show how"
	Hide              = "Hide"
	Cancel            = "Cancel"
	BackupFirst       = "The instructions appear once you confirm you have a backup."
	BackupNowTitle    = "To back up now"
	BackupLookAgain   = "After the backup, press Check again: Restore Doctor looks for it again."
	ProfessionalTitle = "See a Professional"
	WhyPrefix         = "Why: "
	WaitingForPhone   = "Waiting for an iPhone…"
	WaitingForReturn  = "Waiting for the iPhone to come back…"
	LastCheckFailed   = "The last check failed."
	NoCheckYet        = "No check yet."
	AcknowledgeBackup = "I have a backup (or accept that all data on the iPhone will be erased)"
	clockFormat       = "15:04:05"
)

// ReportSaved is the dialog text after an export.
func ReportSaved(path string) string { return "The report was saved to " + path }

// LastCheck is the progress line after a check.
func LastCheck(at time.Time) string { return "Last check: " + at.Local().Format(clockFormat) }

// StaleNote says the verdict shown is the previous check's while a new one runs.
func StaleNote(at time.Time) string {
	return "Checking again… The result below is from " + at.Local().Format(clockFormat) + " and may be out of date."
}

// BeforeAfterModes is an action result's mode line.
func BeforeAfterModes(before, after string) string {
	return fmt.Sprintf("Before: %s mode. After: %s mode.", before, after)
}
