// Package restore turns a passive restore recording (restoretrace events:
// what USB enumeration and usbmuxd's Listen stream showed, and when) into a
// timeline of stages, live timers that say "stalled", "lost" or "came back
// wrong", a verdict with the fix step and its evidence, the report's
// restore_timeline, and a picture of the timeline (PNG).
//
// It is pure logic: no USB, socket or file I/O (the picture is encoded into a
// writer the caller gives). Time comes from the events (milliseconds since the
// recording started) or from an injected Clock, never from time.Now.
//
// # Stages, and what tells them apart passively
//
// The USB product id gives the class: 0x1290–0x12AF normal (and restore),
// 0x1280–0x1283 recovery (iBoot, iBSS and iBEC all use it), 0x1227 DFU,
// 0x1222 WTF, 0xF014 port DFU (libirecovery include/libirecovery.h,
// IRECV_K_*_MODE). The rest comes from the sequence, because the passive
// facts do not carry it:
//
//   - iBoot vs iBSS/iBEC: libirecovery parses CPID, ECID, IBFL, SRTG, … from
//     the serial string of every recovery stage; neither it nor idevicerestore
//     reads the stage from them (idevicerestore knows it sent iBEC). So the
//     first recovery stage of a recording is "recovery" (iBoot), and a
//     recovery stage that follows a handover from recovery or DFU (the phone
//     left USB and came back in recovery) is "boot_stage" (iBSS/iBEC),
//     inferred from the sequence. A change of the iBoot fields between two
//     recovery stages is kept as evidence that a new boot stage runs.
//   - restore vs normal: both use the same product ids and usbmuxd lists
//     both; idevicerestore tells them apart by asking lockdownd (normal_check_mode
//     / restore_check_mode in src/idevicerestore.c), which a passive recorder
//     must not do. A normal-mode product id that follows a boot stage or DFU
//     is the restore system ("restore", inferred): the ramdisk was sent from
//     there. One that follows iBoot recovery without a boot stage is
//     "normal_or_restore": the restore system, or iOS after the phone left
//     recovery on its own; that cannot be told apart passively. One that
//     follows a restore stage after the phone was off USB for at least
//     DropGap is "normal": iOS booting after the restore. The number of USB
//     configurations does not help: usbmuxd reads bNumConfigurations
//     (src/usb.c, guess_mode) to pick its own USB mode (initial, Valeria,
//     CDC-NCM), and no public source ties a count to restore mode, so it is
//     recorded but not used.
//
// # Handover times
//
// How long the phone may be off USB between two stages before it counts as
// lost is idevicerestore's own wait for the next stage (libimobiledevice/
// idevicerestore, src/normal.c, src/recovery.c, src/dfu.c and
// src/idevicerestore.c, cond_wait_timeout): 60 s from normal into recovery,
// 60 s from recovery to the iBEC stage, 10 s from DFU to recovery (we use a
// 30 s floor: Finder's and iTunes' own timeouts are not public, and a slow
// computer must not be blamed), 300 s from the boot stage into restore mode.
// From restore mode back into iOS we allow 120 s, or 300 s when the restore
// stage ran 3 min or more and may have finished (assumptions: a reboot of
// iOS, its first boot after a restore; idevicerestore does not wait for it).
//
// How long a stage may last with no progress before it is "stalled": 5 min
// in recovery, the boot stage and DFU (idevicerestore waits 300 s for restore
// mode; Apple says a phone left in recovery mode leaves it by itself after
// 15 min: support.apple.com/HT201263), 60 min in restore mode (a restore
// takes 5–30 min). Normal mode never stalls: the user may not have started.
//
// Assumptions where no public number exists: a re-attach in the same USB
// class within DropGap (3 s) is a drop of the link, not a handover (a boot
// stage or a reboot takes longer); a restore stage on USB for
// NotListedAfter (30 s) that usbmuxd never listed is "not listed" (usbmuxd
// lists a phone within a second or two of its USB attach).
//
// Drops: a re-attach in the same USB class within DropGap is a drop of
// the link, not a handover; so is a change of the USB address without a
// detach (a re-enumeration shorter than the poll interval). In recovery mode
// a re-enumeration is first the boot stage that is due (iBEC after iBoot;
// iBSS then iBEC after DFU), however quick, since passively it cannot be told
// from a drop; after that, a quick one with unchanged iBoot fields is a drop,
// and a slower one or one with changed fields is "came back in recovery
// again" (wrong mode).
//
// Memory is bounded: at most MaxStages stages and MaxMarks marks are kept
// (the first stage and the newest ones); counters go on past the caps.
package restore
