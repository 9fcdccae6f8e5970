// Package console gives each of Restore Doctor's two Windows executables
// the console it needs; elsewhere it does nothing.
//
// Restore Doctor ships two executables on Windows (README, "Windows"):
// restoredoctor.exe is a console program (the CLI, exit codes and pipes
// work as in any shell) and "Restore Doctor.exe" is the GUI-subsystem build
// the Start menu opens. Setup makes each one behave when it is started the
// other way:
//   - the GUI build given a subcommand attaches to the console of the shell
//     that started it, so `"Restore Doctor.exe" check` prints there (cmd.exe
//     does not wait for a GUI program, so scripts should use restoredoctor.exe);
//   - the console build opening the window from Explorer (a double click: it
//     is the only process on its fresh console) drops that console.
package console
