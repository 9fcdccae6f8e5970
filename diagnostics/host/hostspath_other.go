//go:build !windows

package host

// DefaultHostsFilePath is /etc/hosts (on macOS a link to /private/etc/hosts).
func DefaultHostsFilePath() string { return "/etc/hosts" }
