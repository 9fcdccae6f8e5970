package main

// opensWindow reports whether args start the window rather than a
// subcommand (the rule run applies).
func opensWindow(args []string) bool {
	return len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help" && args[0] != "-help")
}
