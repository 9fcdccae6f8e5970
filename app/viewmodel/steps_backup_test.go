package viewmodel

import (
	"slices"
	"testing"
)

// Issue 21: only step 5 carries the backup state; while a restore runs it
// keeps the sentences but offers no way to back up.
func TestStepsCarryBackupOnStep5(t *testing.T) {
	bv := BackupView{Known: true, Lines: []string{"No backup of this iPhone on this computer."},
		Ways: []BackupWay{{App: "iCloud", Steps: []string{"Turn it on."}}}, NeedsIOS: "needs iOS"}
	for _, restoring := range []bool{false, true} {
		for _, c := range BuildSteps(StepsInput{Catalog: testCatalog, Backup: bv, Restoring: restoring}) {
			switch {
			case c.Number != 5 && c.Backup.Known:
				t.Errorf("step %d carries the backup state", c.Number)
			case c.Number == 5 && !slices.Equal(c.Backup.Lines, bv.Lines):
				t.Errorf("step 5 lines %q", c.Backup.Lines)
			case c.Number == 5 && restoring && (c.Backup.Ways != nil || c.Backup.NeedsIOS != ""):
				t.Errorf("restoring: step 5 offers %v %q", c.Backup.Ways, c.Backup.NeedsIOS)
			case c.Number == 5 && !restoring && len(c.Backup.Ways) != 1:
				t.Errorf("step 5 ways %v", c.Backup.Ways)
			}
		}
	}
}
