// Command kaoqin keeps a company's DingTalk attendance in a database of its own and shows HR,
// and each department's managers, where attendance stands.
//
// Run "kaoqin --help" for the commands; ../../README.md for the two commands that matter.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/kaoqin/kaoqin"
)

// CLI is every command of kaoqin. Each command is a type with
// Run(ctx context.Context, g *Globals) error, in a file of its own.
type CLI struct {
	Globals

	Sync      syncCmd      `cmd:"" help:"Pull the org chart and the attendance of a date range (default today) from DingTalk into the database."`
	Report    reportCmd    `cmd:"" help:"Write the daily or period attendance report (table, json, csv, xlsx) from the database."`
	Punches   punchesCmd   `cmd:"" help:"Write every punch record of a date range (table, json, csv, xlsx): the evidence behind the check results."`
	Org       orgCmd       `cmd:"" help:"Push the HR system's org chart into DingTalk (org push --file FILE)."`
	Serve     serveCmd     `cmd:"" help:"Serve the dashboard and the JSON API, and run the scheduled syncs."`
	Demo      demoCmd      `cmd:"" help:"Try kaoqin with no credentials: a simulated DingTalk company, a temporary database and the dashboard."`
	User      userCmd      `cmd:"" help:"Manage the dashboard's accounts (user add, user list, user passwd)."`
	Reconcile reconcileCmd `cmd:"" help:"Compare kaoqin's period report with DingTalk's own report (智能报表) and explain every difference (metered calls, priced first)."`
	Remind    remindCmd    `cmd:"" help:"Reminder rules (remind add, list, edit, rm, on, off, opt-out, opt-in), and remind --dry-run: who gets which message when."`
	Version   versionCmd   `cmd:"" help:"Print kaoqin's version."`

	DingtalkSim simCmd `cmd:"" name:"dingtalk-sim" help:"Run the DingTalk simulator alone, for trying a client or a deployment."`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks a bad command line (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run parses args, runs the command and returns the exit status: 0 on success, 1 on failure
// with one line on stderr, 2 on bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (status int) {
	var cli CLI
	exited := false
	parser, err := kong.New(&cli,
		kong.Name("kaoqin"),
		kong.Description("DingTalk attendance, synced into a database of your own: live board, reports, reminders."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited, status = true, code }),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Resolvers(configFileResolver(args)),
	)
	if err != nil {
		panic(err) // a mistake in the CLI struct, not the user's
	}
	cli.Globals.stdout, cli.Globals.stderr = stdout, stderr
	kctx, err := parser.Parse(args)
	if exited { // --help, or kong printed usage already
		return status
	}
	if err != nil {
		fmt.Fprintf(stderr, "kaoqin: %s\n", oneLine(err.Error()))
		return 2
	}
	if err := kctx.Run(&cli.Globals); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "kaoqin: %s\n", oneLine(err.Error()))
			return 2
		}
		fmt.Fprintf(stderr, "kaoqin: %s\n", oneLine(errorLine(err)))
		return 1
	}
	return 0
}

// errorLine is what the user reads when a command fails: the message of a kaoqin.Error, which
// says what to do, or the error itself.
func errorLine(err error) string {
	var e *kaoqin.Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted; run the same command again to continue where it stopped"
	}
	return err.Error()
}

// oneLine folds a message onto one line: scripts read the last line of stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

type versionCmd struct{}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func (c *versionCmd) Run(g *Globals) error {
	_, err := fmt.Fprintf(g.stdout, "kaoqin %s\n", version)
	return err
}
