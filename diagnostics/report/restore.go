package report

// RestoreTimeline is a restore recording turned into stages and a verdict
// (diagnostics/restore builds it; added to v1, optional for readers: a report
// of a plain check has none). Times count in seconds from StartedAt.
type RestoreTimeline struct {
	// Source is where the events came from ("libusb+usbmuxd",
	// "wintree+amds", "replay:<file>", "demo:<name>").
	Source string `json:"source"`
	// StartedAt is when the recording started (RFC 3339, UTC).
	StartedAt string `json:"started_at"`
	// PollMS is the USB poll interval of the recorder.
	PollMS int `json:"poll_ms"`
	// DurationS is how long the recording ran.
	DurationS float64 `json:"duration_s"`
	// DeviceKey is the followed phone's key (redacted unless identifiers are included).
	DeviceKey string `json:"device_key"`
	// Complete is false for an interrupted recording, a truncated file or
	// one with gaps; IncompleteReasons then says why, and the verdict is
	// never "success".
	Complete          bool     `json:"complete"`
	IncompleteReasons []string `json:"incomplete_reasons"`
	// Stages in order; StagesOmitted is how many were left out to bound
	// memory (from the second stage on).
	Stages        []RestoreStage `json:"stages"`
	StagesOmitted int            `json:"stages_omitted"`
	// Drops counts every drop of the link in the recording.
	Drops   int            `json:"drops"`
	Verdict RestoreVerdict `json:"verdict"`
	// PictureFile names the timeline picture written next to a Markdown
	// export (set by the exporter; not part of the JSON).
	PictureFile string `json:"-"`
}

// RestoreStage is one stage of the timeline.
type RestoreStage struct {
	// Stage is one of RestoreStages.
	Stage string `json:"stage"`
	// Inferred says why the stage was inferred from the sequence rather
	// than read from the product id (restore vs normal, iBoot vs iBEC).
	Inferred  string  `json:"inferred,omitempty"`
	StartS    float64 `json:"start_s"`
	EndS      float64 `json:"end_s"`
	DurationS float64 `json:"duration_s"`
	// Open: the phone was still in this stage when the recording ended.
	Open bool `json:"open"`
	// ProductID is the USB product id in the stage ("1281"; empty off USB).
	ProductID string `json:"product_id,omitempty"`
	// SpeedsMbps are the link speeds seen, in order, without repeats.
	SpeedsMbps     []float64 `json:"speeds_mbps"`
	Drops          int       `json:"drops"`
	AddressChanges int       `json:"address_changes"`
	PortChanges    int       `json:"port_changes"`
	// UsbmuxListed: usbmuxd listed the phone in the stage; null when that
	// is not known (usbmuxd not watched, or its Listen stream was down).
	UsbmuxListed *bool `json:"usbmux_listed"`
	// Wrong says why the phone came back in a stage the restore does not
	// expect (empty when it did not).
	Wrong string `json:"wrong,omitempty"`
}

// RestoreVerdict says where and how the restore ended, and what to do.
type RestoreVerdict struct {
	// ID is one of RestoreVerdicts.
	ID string `json:"id"`
	// Stage is where it happened (one of RestoreStages, or "" when no phone
	// was seen); AtS when.
	Stage string  `json:"stage"`
	AtS   float64 `json:"at_s"`
	// Summary is the verdict in plain words, with its step(s).
	Summary      string   `json:"summary"`
	Steps        []int    `json:"steps"`
	Professional bool     `json:"professional"`
	Evidence     []string `json:"evidence"`
	// RestoreS is how long the restore took ("success" only).
	RestoreS float64 `json:"restore_s,omitempty"`
}

// Enumerations of restore_timeline (diagnostics/restore's tests keep them
// equal to its own lists).
var (
	// RestoreStages are the values of restore_timeline.stages[].stage.
	RestoreStages = []string{"normal", "recovery", "boot_stage", "dfu", "restore", "normal_or_restore", "gone", "unknown"}
	// RestoreVerdicts are the values of restore_timeline.verdict.id.
	RestoreVerdicts = []string{"success", "lost", "wrong_mode", "not_listed", "link_trouble", "stuck_waiting", "incomplete", "unfinished", "no_restore"}
)
