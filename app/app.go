// Package app is Ferry's composition root: it reads the command line,
// opens the engine and wires it to a front-end (the headless commands
// here; the window in its own package).
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/internal/crash"
)

// version is Ferry's version, as FyneApp.toml says it (a test holds
// them together); a release build may set it with -ldflags -X.
var version = "0.1.0"

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1 // some files failed, or Ferry could not start
	exitUsage       = 2
	exitInterrupted = 130
)

const usage = `Ferry uploads files over tus, resumably.

Usage:
  ferry [--to URL|NAME] [FILE|DIR...]         open the window (with those files queued)
  ferry upload --to URL|NAME [flags] FILE|DIR...   upload and exit: 0 all done, 1 some failed, 2 usage
  ferry watch  --to URL|NAME [flags] DIR...   upload new files in folders once each is still, until Ctrl-C
  ferry resume [flags] [ID|PATH...]           finish unfinished jobs (all of them, or those named)
  ferry queue  [flags]                        list jobs: id, state, progress, path, URL, notes
  ferry pause|cancel|retry|remove ID|PATH...  the engine's commands on queued jobs
  ferry dest   add|list|show|remove|default|test   saved destinations (tus, backend, cloudflare, vimeo, builtin)
  ferry serve  [--listen ADDR] [--dir DIR]    run the built-in tus receiver

Run "ferry COMMAND -h" for a command's flags.
`

// Run runs Ferry with the given arguments (os.Args) and returns the exit code.
func Run(args []string) int {
	noAutolaunch()
	leanHeap()
	return withCrashReports(args[1:], func(notes []string) int {
		return run(args[1:], notes, os.Stdout, os.Stderr)
	})
}

// leanHeap has the garbage collector run at half Go's default heap
// growth: Ferry stays up for days in the tray with queues of 100 000
// files, and there memory counts more than the CPU it costs (none
// measurable: ferry upload of 100 000 small files, 61 s of CPU either
// way, 270 MiB of heap and runtime down to 200). GOGC, when set, decides.
func leanHeap() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// withCrashReports runs a command between crashReports and its stop.
// The stop is not deferred: a panic that unwinds through here must still
// find the crash output armed when the runtime writes it.
func withCrashReports(args []string, cmd func(notes []string) int) int {
	notes, stop := crashReports(args)
	code := cmd(notes)
	stop()
	return code
}

// crashReports: a command that holds the data dir first turns the crash
// of an earlier run into a report and says so (notes), then has the
// runtime write its own crash, should it come, into the data dir until
// stop (internal/crash). Help and mistyped commands do neither.
func crashReports(args []string) (notes []string, stop func()) {
	cmd := commandOf(args)
	if cmd == "" {
		return nil, func() {}
	}
	c := common{dataDir: dataDirArg(args)}
	dir, err := c.resolveDataDir()
	if err != nil {
		return nil, func() {} // the command says so
	}
	r, notes := crash.Start(dir, crash.Options{Version: version, Command: cmd, RedactURL: dest.RedactURL})
	return notes, r.Stop
}

// commandOf is what args run: "window", a command, or "" (help, a
// mistake).
func commandOf(args []string) string {
	switch {
	case len(args) == 0 || opensWindow(args[0]):
		return "window"
	case args[0] != "help" && slices.Contains(commands, args[0]):
		return args[0]
	}
	return ""
}

// dataDirArg is --data-dir as the command will read it (flags come in
// any order, the last one counts, "--" ends them).
func dataDirArg(args []string) string {
	dir := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, val, hasVal := strings.Cut(a, "=")
		if name != "-data-dir" && name != "--data-dir" {
			continue
		}
		if hasVal {
			dir = val
		} else if i+1 < len(args) {
			dir = args[i+1]
			i++
		}
	}
	return dir
}

// sayNotes prints what a start has to say, one sentence a line.
func sayNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
}

// noAutolaunch: with no session bus (an SSH shell, cron, a server), D-Bus
// clients (the keychain probe, the tray, notifications) would start a
// dbus-daemon of their own through dbus-launch, and each run would leave
// one behind. Ferry says there is no bus instead; a desktop session always
// names its bus.
func noAutolaunch() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		if _, err := os.Stat(filepath.Join(rt, "bus")); err == nil {
			return // systemd's user bus: found without the variable
		}
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
}

// run runs a command; notes are sentences to say first (the window
// shows them, the other commands print them on stderr).
func run(args []string, notes []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || opensWindow(args[0]) {
		return cmdWindow(args, notes, stdout, stderr)
	}
	sayNotes(stderr, notes)
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "upload":
		return cmdUpload(rest, stdout, stderr)
	case "watch":
		return cmdWatch(rest, stdout, stderr)
	case "resume":
		return cmdResume(rest, stdout, stderr)
	case "dest":
		return cmdDest(rest, os.Stdin, stdout, stderr)
	case "pause", "cancel", "retry", "remove":
		return cmdJob(cmd, rest, stdout, stderr)
	case "queue":
		err = cmdQueue(rest, stdout)
	case "serve":
		return cmdServe(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "ferry: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	return exitCode(err, stderr)
}

// opensWindow: `ferry FILE...` and `ferry --flag ...` open the window
// with those files; a word that is neither a command nor a file is a
// mistyped command.
func opensWindow(arg string) bool {
	if strings.HasPrefix(arg, "-") && !slices.Contains([]string{"-h", "-help", "--help"}, arg) {
		return true
	}
	_, err := os.Stat(arg)
	return err == nil && !slices.Contains(commands, arg)
}

var commands = []string{"upload", "watch", "resume", "dest", "pause", "cancel", "retry", "remove", "queue", "serve", "help"}

// exitCode prints err (if any) as a sentence and picks the exit code.
func exitCode(err error, stderr io.Writer) int {
	var u errUsage
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return exitFailed
	}
}

// helpFor prints a command's flags when asked with -h.
func helpFor(fs *flag.FlagSet, w io.Writer, synopsis string) {
	fmt.Fprintf(w, "Usage: %s\n\nFlags:\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
