package report

// Guide supplies the human text of a fix step for the renderers, so that
// report stays a leaf: *catalog.Catalog implements it, and a nil Guide just
// leaves the text out.
type Guide interface {
	// StepDetail returns the text for step number (1–6; 0 is "See a
	// professional") on the given host OS (a runtime.GOOS value or Host.OS)
	// for a phone of the given recovery-button family.
	StepDetail(number int, hostOS, recoveryFamily string) StepDetail
}

// StepDetail is the text a renderer shows under a step.
type StepDetail struct {
	Summary string
	// Warning is shown before the instructions; WarningMustAcknowledge means
	// the user must confirm it before acting (step 5: a restore erases data).
	Warning                string
	WarningMustAcknowledge bool
	Instructions           []string
}
