package restore

import (
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Kind is a stage of a restore, as far as passive facts tell it. The string
// values are the report's restore_timeline.stages[].stage values.
type Kind string

// Stage kinds.
const (
	Normal          Kind = "normal"            // iOS, before the restore (or after it)
	Recovery        Kind = "recovery"          // iBoot recovery mode, no boot stage sent yet
	BootStage       Kind = "boot_stage"        // recovery product id after a handover: iBSS/iBEC (inferred)
	DFU             Kind = "dfu"               // DFU, WTF or port DFU
	Restore         Kind = "restore"           // normal product id after a boot stage: the restore system (inferred)
	NormalOrRestore Kind = "normal_or_restore" // normal product id right after iBoot recovery: cannot be told apart
	Gone            Kind = "gone"              // off USB
	Unknown         Kind = "unknown"           // an Apple product id of no known class
)

// Kinds lists every stage kind, in the order the contract documents them.
var Kinds = []Kind{Normal, Recovery, BootStage, DFU, Restore, NormalOrRestore, Gone, Unknown}

// id is the kind's part of its message IDs.
func (k Kind) id() string {
	switch k {
	case Normal, Recovery, BootStage, DFU, Restore, NormalOrRestore, Gone:
		return string(k)
	}
	return string(Unknown)
}

// Words names the stage for people, in the current language (i18n).
func (k Kind) Words() string { return i18n.T("restore.stage." + k.id()) }

// In places the iPhone in the stage for a sentence: "in recovery mode",
// "off USB".
func (k Kind) In() string { return i18n.T("restore.stage_in." + k.id()) }

// label is the stage's short label in the picture, from tr.
func (k Kind) label(tr translator) string { return tr("restore.stage_short." + k.id()) }

// lowLevel: a boot-loader stage (the restore is under way once one is seen).
func (k Kind) lowLevel() bool { return k == Recovery || k == BootStage || k == DFU }

// Config holds the times that decide drops, stalls and losses. Zero fields
// take the defaults of DefaultConfig.
type Config struct {
	// DropGap: a re-attach in the same USB class sooner than this is a drop.
	DropGap time.Duration
	// Handover is how long the phone may stay off USB after leaving a stage.
	Handover map[Kind]time.Duration
	// RestoreRan and AfterRestore: a restore stage that lasted RestoreRan or
	// more may have finished; leaving it, the phone may take AfterRestore
	// to come back in iOS (its first boot after the restore) instead of
	// Handover[Restore].
	RestoreRan, AfterRestore time.Duration
	// Stall is how long a stage may last with no progress (0: never stalls).
	Stall map[Kind]time.Duration
	// NotListedAfter: a restore stage on USB this long that usbmuxd never
	// listed is "not listed" (usbmuxd lists a phone within a second or two).
	NotListedAfter time.Duration
	// MaxBootStages: recovery re-enumerations after DFU that count as boot
	// stages (iBSS, then iBEC; after iBoot recovery only one: iBEC); one
	// more is "came back in recovery again".
	MaxBootStages int
	// MaxStages and MaxMarks bound memory.
	MaxStages, MaxMarks int
}

// DefaultConfig returns the times documented in the package comment.
func DefaultConfig() Config {
	return Config{
		DropGap: 3 * time.Second,
		Handover: map[Kind]time.Duration{
			Normal:          60 * time.Second,  // normal.c: 60 s to connect in recovery
			Recovery:        60 * time.Second,  // idevicerestore.c: 60 s to reconnect after iBEC
			BootStage:       300 * time.Second, // idevicerestore.c: 300 s to enter restore mode
			DFU:             30 * time.Second,  // dfu.c: 10 s; floor 30 s
			Restore:         120 * time.Second, // iOS reboot after the restore (assumption)
			NormalOrRestore: 120 * time.Second,
			Unknown:         300 * time.Second,
		},
		Stall: map[Kind]time.Duration{
			Recovery:  5 * time.Minute,
			BootStage: 5 * time.Minute,
			DFU:       5 * time.Minute,
			Restore:   60 * time.Minute,
		},
		RestoreRan:     3 * time.Minute,
		AfterRestore:   300 * time.Second, // assumption: the first boot of iOS after a restore
		NotListedAfter: 30 * time.Second,
		MaxBootStages:  2,
		MaxStages:      64,
		MaxMarks:       256,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DropGap <= 0 {
		c.DropGap = d.DropGap
	}
	if c.Handover == nil {
		c.Handover = d.Handover
	}
	if c.RestoreRan <= 0 {
		c.RestoreRan = d.RestoreRan
	}
	if c.AfterRestore <= 0 {
		c.AfterRestore = d.AfterRestore
	}
	if c.Stall == nil {
		c.Stall = d.Stall
	}
	if c.NotListedAfter <= 0 {
		c.NotListedAfter = d.NotListedAfter
	}
	if c.MaxBootStages <= 0 {
		c.MaxBootStages = d.MaxBootStages
	}
	if c.MaxStages < 4 {
		c.MaxStages = d.MaxStages
	}
	if c.MaxMarks < 1 {
		c.MaxMarks = d.MaxMarks
	}
	return c
}

// handover is how long the phone may be off USB after leaving from.
func (c Config) handover(from Kind) time.Duration {
	if d, ok := c.Handover[from]; ok {
		return d
	}
	return c.Handover[Unknown]
}

// usbClass is the USB identity of facts: the recorder's Mode string when it
// is one we know, else the product id's class.
func usbClass(pid uint16, m string) mode.Mode {
	switch mm := mode.Mode(m); mm {
	case mode.Normal, mode.Restore:
		return mode.Normal
	case mode.Recovery, mode.DFU, mode.WTF, mode.PortDFU:
		return mm
	}
	return mode.FromProductID(pid)
}
