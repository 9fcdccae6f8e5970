package report

// Normalised exposes normalised to the external tests.
func Normalised(r Report) Report { return normalised(r) }
