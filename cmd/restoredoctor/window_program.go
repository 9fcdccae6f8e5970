package main

// windowProgramName is the file name of the windowed build next to this one
// on goos: the Windows installer's "Restore Doctor.exe", elsewhere
// restoredoctor-gui (make build puts both into bin/).
func windowProgramName(goos string) string {
	if goos == "windows" {
		return "Restore Doctor.exe"
	}
	return "restoredoctor-gui"
}
