// Command embrace is the software a defector-support network runs on: one
// binary holding the command line, the web server and the JSON API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"embrace/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
