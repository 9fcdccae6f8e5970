package viewmodel

import (
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// The window's fixed words: buttons, section titles, the answers, the
// progress line. They are here, not in the panes, so that every
// user-visible string of the window is found in this package; each is a
// function because it is said in the current language (internal/i18n,
// bundle assets/lang/window.*.json).

// CheckNowLabel is the check button before the first check.
func CheckNowLabel() string { return i18n.T("window.button.check_now") }

// CheckAgainLabel is the check button after a check.
func CheckAgainLabel() string { return i18n.T("window.button.check_again") }

// CheckingLabel is the check button while a check runs.
func CheckingLabel() string { return i18n.T("window.button.checking") }

// QuickLabel is the quick check's choice.
func QuickLabel() string { return i18n.T("window.check.quick", i18n.Args{"S": i18n.Int(10)}) }

// ThoroughLabel is the thorough check's choice.
func ThoroughLabel() string { return i18n.T("window.check.thorough", i18n.Args{"S": i18n.Int(30)}) }

// KeyboardHelp lists the window's keyboard shortcuts.
func KeyboardHelp() string { return i18n.T("window.keyboard_help") }

// SectionComputer is the title of the computer's section.
func SectionComputer() string { return i18n.T("window.section.computer") }

// SectionCheck is the title of the check's section.
func SectionCheck() string { return i18n.T("window.section.check") }

// SectionTried is the title of the answers' section.
func SectionTried() string { return i18n.T("window.section.tried") }

// SectionExport is the title of the export section.
func SectionExport() string { return i18n.T("window.section.export") }

// SectionChanges is the title of the before/after section.
func SectionChanges() string { return i18n.T("window.section.changes") }

// AnswerCableLabel is the "another cable" answer.
func AnswerCableLabel() string { return i18n.T("window.answer.cable") }

// AnswerPortLabel is the "another USB port" answer.
func AnswerPortLabel() string { return i18n.T("window.answer.port") }

// AnswerComputerLabel is the "another computer" answer.
func AnswerComputerLabel() string { return i18n.T("window.answer.computer") }

// AnswerRestartLabel is the "restarted" answer.
func AnswerRestartLabel() string { return i18n.T("window.answer.restart") }

// IncludeIDsLabel is the export's identifiers checkbox.
func IncludeIDsLabel() string { return i18n.T("window.export.include_ids") }

// ExportMarkdown is the Markdown export button.
func ExportMarkdown() string { return i18n.T("window.export.markdown") }

// ExportJSON is the JSON export button.
func ExportJSON() string { return i18n.T("window.export.json") }

// ReportSavedTitle is the title of the dialog after an export.
func ReportSavedTitle() string { return i18n.T("window.export.saved_title") }

// ChoosePhone is the phone selector's placeholder.
func ChoosePhone() string { return i18n.T("window.device.choose") }

// DetailsTitle is the title of the technical details' disclosure.
func DetailsTitle() string { return i18n.T("window.details.title") }

// StepDetailsTitle is the title of a step's details' disclosure.
func StepDetailsTitle() string { return i18n.T("window.step.details") }

// ShowHow opens a step's instructions.
func ShowHow() string { return i18n.T("window.step.show_how") }

// Hide closes a step's instructions.
func Hide() string { return i18n.T("window.step.hide") }

// Cancel is the cancel button.
func Cancel() string { return i18n.T("window.button.cancel") }

// BackupFirst stands in for step 5's instructions until the backup is confirmed.
func BackupFirst() string { return i18n.T("window.step.backup_first") }

// BackupNowTitle heads the ways to back up now.
func BackupNowTitle() string { return i18n.T("window.backup.now_title") }

// BackupLookAgain says a new check looks for the backup again.
func BackupLookAgain() string { return i18n.T("window.backup.look_again") }

// ProfessionalTitle is the "See a Professional" card's title.
func ProfessionalTitle() string { return i18n.T("window.professional.title") }

// Why is a reason line: "Why: " and the reason.
func Why(reason string) string { return i18n.T("window.step.why", i18n.Args{"Reason": reason}) }

// WaitingForPhone is the progress line before a phone is connected.
func WaitingForPhone() string { return i18n.T("window.progress.waiting_phone") }

// WaitingForReturn is the progress line while a phone comes back.
func WaitingForReturn() string { return i18n.T("window.progress.waiting_return") }

// LastCheckFailed is the progress line after a failed check.
func LastCheckFailed() string { return i18n.T("window.progress.last_failed") }

// NoCheckYet is the progress line before the first check.
func NoCheckYet() string { return i18n.T("window.progress.no_check") }

// AcknowledgeBackup is step 5's acknowledgement checkbox.
func AcknowledgeBackup() string { return i18n.T("window.step.acknowledge_backup") }

// ReportSaved is the dialog text after an export.
func ReportSaved(path string) string { return i18n.T("window.export.saved", i18n.Args{"Path": path}) }

// LastCheck is the progress line after a check.
func LastCheck(at time.Time) string {
	return i18n.T("window.progress.last_check", i18n.Args{"Time": i18n.ClockSeconds(at.Local())})
}

// StaleNote says the verdict shown is the previous check's while a new one runs.
func StaleNote(at time.Time) string {
	return i18n.T("window.progress.stale", i18n.Args{"Time": i18n.ClockSeconds(at.Local())})
}

// BeforeAfterModes is an action result's mode line; before and after are
// mode values ("normal", "recovery").
func BeforeAfterModes(before, after string) string {
	return i18n.T("window.action.before_after", i18n.Args{"Before": modeWord(before), "After": modeWord(after)})
}

// WindowTitle is the window's title; demo names the demo scenario ("" for
// the real window).
func WindowTitle(demo string) string {
	if demo == "" {
		return i18n.T("window.title")
	}
	return i18n.T("window.title_demo", i18n.Args{"Name": demo})
}
