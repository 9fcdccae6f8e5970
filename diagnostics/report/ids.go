package report

// Check ids (the report's checks[].id). Stable: add, never rename.
const (
	CheckUSBPresence          = "usb.presence"
	CheckUSBLink              = "usb.link"
	CheckUSBStability         = "usb.stability"
	CheckUSBControl           = "usb.control"
	CheckUsbmuxHealth         = "usbmux.health"
	CheckUsbmuxListing        = "usbmux.listing"
	CheckLockdownQuery        = "lockdown.query"
	CheckLockdownRTT          = "lockdown.rtt"
	CheckLockdownTrust        = "lockdown.trust"
	CheckHostAppleServers     = "host.apple_servers"
	CheckHostHostsFile        = "host.hosts_file"
	CheckHostSecuritySoftware = "host.security_software"
	CheckHostSoftwareVersions = "host.software_versions"
	// CheckHostBackups: this computer's local backups of each phone (Finder,
	// iTunes, Apple Devices; idevicebackup2 with --backup-dir).
	CheckHostBackups = "host.backups"
	// CheckLockdownICloudBackup: whether iCloud Backup is on, asked of a
	// trusted phone in normal mode.
	CheckLockdownICloudBackup = "lockdown.icloud_backup"
)

// Finding ids. Stable: add, never rename.
const (
	FindingUSBNoDevice        = "usb.no_device"
	FindingUSBAccessDenied    = "usb.access_denied"
	FindingUSBUnavailable     = "usb.unavailable"
	FindingUSBFullSpeed       = "usb.full_speed"
	FindingUSBBehindHub       = "usb.behind_hub"
	FindingUSBUnstable        = "usb.unstable"
	FindingUSBControlTimeouts = "usb.control_timeouts"
	// FindingUSBTooManyPhones: more phones than one run follows (64) were
	// connected; the ones beyond were not checked.
	FindingUSBTooManyPhones    = "usb.too_many_phones"
	FindingDeviceRecoveryMode  = "device.recovery_mode"
	FindingDeviceDFUMode       = "device.dfu_mode"
	FindingUsbmuxUnreachable   = "usbmux.unreachable"
	FindingUsbmuxNotResponding = "usbmux.not_responding"
	FindingUsbmuxDeviceMissing = "usbmux.device_missing"
	FindingLockdownSlow        = "lockdown.slow"
	FindingLockdownTimeouts    = "lockdown.timeouts"
	FindingLockdownUntrusted   = "lockdown.untrusted"
	// FindingDeviceRestoreMode: the phone runs the restore system (a restore
	// is in progress); it must not be interrupted.
	FindingDeviceRestoreMode = "device.restore_mode"
	// FindingLockdownUnreachable: usbmuxd lists the phone but the connection
	// to its lockdownd is refused or fails: the computer cannot talk to it.
	FindingLockdownUnreachable    = "lockdown.unreachable"
	FindingHostServersUnreachable = "host.apple_servers_unreachable"
	FindingHostHostsFileRedirect  = "host.hosts_file_redirect"
	FindingHostSecuritySoftware   = "host.security_software"
	FindingHostSoftwareOutdated   = "host.software_outdated"
	// FindingUSBDriverMissing: Windows has no driver for an Apple USB device
	// (Apple Mobile Device USB Driver missing), read from the device tree.
	FindingUSBDriverMissing = "usb.driver_missing"
	// FindingBackupLocal: what this computer holds of the phone's backups
	// (evidence.state: found, none, permission, error, no_locations,
	// unknown_phone), with dates, iOS version, finished, encrypted, size;
	// never their contents.
	FindingBackupLocal = "backup.local"
	// FindingBackupICloud: whether iCloud Backup is on (evidence.state: on,
	// off, unknown with the reason it could not be asked).
	FindingBackupICloud = "backup.icloud"
)
