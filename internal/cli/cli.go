// Package cli holds embrace's subcommands and wires the other packages
// together explicitly: there is no package-level mutable state and no global
// configuration anywhere in the program; everything a command needs is built
// here from its flags and passed down.
//
// Exit codes: 0 success, 1 failure, 2 usage error. Every failure is one clear
// line on stderr that names what went wrong and never carries red data.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Version is the program's version, shown by `embrace version` and /healthz.
const Version = "0.1.0"

// stdio carries a command's standard streams, so commands are testable
// without touching the process's own.
type stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// command is one subcommand: its name, a one-line summary for `embrace help`
// and the function that runs it with the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, std stdio, args []string) int
}

func commands() []command {
	cmds := []command{
		{"demo", "create or reopen a demo deployment with synthetic data and serve it", runDemo},
		{"init", "create a new deployment", runInit},
		{"serve", "serve a deployment over HTTP", runServe},
		{"seed", "add synthetic cases to a deployment (for benchmarks)", runSeed},
		{"version", "print the version", runVersion},
	}
	cmds = append(cmds, extraCommands()...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// Main runs the subcommand named by args[0] and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	std := stdio{In: stdin, Out: stdout, Err: stderr}
	if len(args) == 0 {
		usage(std.Err)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					return c.run(ctx, std, []string{"-h"})
				}
			}
			fmt.Fprintf(std.Err, "embrace: unknown command %q; run 'embrace help'\n", args[1])
			return 2
		}
		usage(std.Out)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, std, args[1:])
		}
	}
	fmt.Fprintf(std.Err, "embrace: unknown command %q; run 'embrace help'\n", name)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: embrace COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'embrace COMMAND -h' for a command's flags.")
}

// newFlags makes a FlagSet for a subcommand that reports errors instead of
// exiting and prints its usage to stderr.
func newFlags(std stdio, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.Err)
	fs.Usage = func() {
		fmt.Fprintf(std.Err, "Usage: embrace %s\n", synopsis)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(std.Err)
			fmt.Fprintln(std.Err, "Flags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and turns the outcome into an exit code: ok is false
// when the command must stop, with code 0 for -h and 2 for a usage error.
// Positional arguments are refused unless allowArgs is set.
func parseFlags(fs *flag.FlagSet, args []string, allowArgs bool) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if !allowArgs && fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "embrace %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}

// usageError reports a usage problem on stderr and returns exit code 2.
func usageError(std stdio, cmd, format string, a ...any) int {
	fmt.Fprintf(std.Err, "embrace %s: %s\n", cmd, fmt.Sprintf(format, a...))
	return 2
}

// fail reports a failure on stderr as one line and returns exit code 1.
func fail(std stdio, cmd string, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(std.Err, "embrace %s: %s\n", cmd, msg)
	return 1
}

func runVersion(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "version", "version")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	fmt.Fprintf(std.Out, "embrace %s\n", Version)
	return 0
}
