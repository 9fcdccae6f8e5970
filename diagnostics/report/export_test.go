package report

// Normalised exposes normalised to the external tests.
func Normalised(r Report) Report { return normalised(r) }

// Columns is how many terminal columns a string takes (wide CJK: two).
var Columns = columns
