// Package host owns the host-side probes of the diagnostics engine: whether
// Apple's restore servers are reachable with a verified TLS handshake
// (host.apple_servers), whether the hosts file redirects an Apple restore host
// (host.hosts_file), which security software is active (host.security_software)
// and whether the restore software on this computer is present and recent
// enough (host.software_versions).
//
// Each Check… function returns a Result: the check status, a one-line detail
// and ready-made report.Findings with structured evidence and the fix steps
// they support. Parsing of command output and files lives in the pure
// sub-packages (hostsfile, netcheck, security, software); this package runs the
// probes with deadlines and turns facts into findings.
//
// Commands run by this package are fixed strings chosen per platform, never
// built from input; every command runs under exec.CommandContext with a
// deadline and a cap on the output it keeps.
//
// host must not import app/ or device/: it sees the computer, not the phone.
package host
