package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"embrace/internal/auth"
	"embrace/internal/store"
)

const userSynopsis = "user add|list|suspend|activate|reset-2fa|duress -data DIR [-db URL] [flags]"

// cliActor is how the command line appears in the audit log: whoever has a
// shell on the server and the database.
const cliActor = "cli"

func userUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: embrace %s\n\n", userSynopsis)
	fmt.Fprintln(w, "Subcommands:")
	fmt.Fprintln(w, "  add        create an account: -name NAME -role ROLE[,ROLE] [-team TEAM[,TEAM]]; the password is read from standard input (one line)")
	fmt.Fprintln(w, "  list       list the accounts")
	fmt.Fprintln(w, "  suspend    stop an account from signing in and end its sessions: -name NAME")
	fmt.Fprintln(w, "  activate   let a suspended account sign in again: -name NAME")
	fmt.Fprintln(w, "  reset-2fa  give an account a new TOTP secret and recovery codes: -name NAME")
	fmt.Fprintln(w, "  duress     set an account's duress password, read from standard input: -name NAME")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Roles: "+joinNames(auth.Roles()))
	fmt.Fprintln(w, "Teams: "+joinNames(auth.Teams()))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The first account, if it is an administrator, becomes the bootstrap steward: a")
	fmt.Fprintln(w, "member of every team and holder of every team key. Other accounts added here")
	fmt.Fprintln(w, "to a team wait for its key until someone who holds it next signs in.")
}

func joinNames[T ~string](xs []T) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return strings.Join(out, ", ")
}

// runUser is `embrace user`: account administration from the server's
// shell, audited with the actor "cli".
func runUser(ctx context.Context, std stdio, args []string) int {
	if len(args) == 0 {
		userUsage(std.Err)
		return usageError(std, "user", "name a subcommand: add, list, suspend, activate, reset-2fa or duress")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		userUsage(std.Err)
		return 0
	case "add":
		return runUserAdd(ctx, std, args[1:])
	case "list":
		return runUserList(ctx, std, args[1:])
	case "suspend", "activate", "reset-2fa", "duress":
		return runUserNamed(ctx, std, args[0], args[1:])
	}
	userUsage(std.Err)
	return usageError(std, "user", "unknown subcommand %q", args[0])
}

// openAuth opens the deployment and an auth service on it.
func openAuth(ctx context.Context, db *dbFlags) (*store.Store, *auth.Service, error) {
	_, s, err := db.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	params, err := auth.LoadParams(ctx, s)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	svc, err := auth.New(auth.Config{Store: s, Params: params})
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, svc, nil
}

// readSecretLine reads one line (a password) from r, without its line
// ending. Nothing is echoed; the caller types it or pipes it in.
func readSecretLine(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(r, 4096)
	line, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input: type it, or pipe it in, as one line")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUserAdd(ctx context.Context, std stdio, args []string) int {
	const name = "user add"
	fs := newFlags(std, name, "user add -data DIR [-db URL] -name NAME -role ROLE[,ROLE] [-team TEAM[,TEAM]]  (password on standard input)")
	var db dbFlags
	db.register(fs, "")
	username := fs.String("name", "", "the account's `username` (3–32 of a-z 0-9 . _ -)")
	roleList := fs.String("role", "", "comma-separated `roles`")
	teamList := fs.String("team", "", "comma-separated `teams`")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" || *username == "" || *roleList == "" {
		return usageError(std, name, "-data, -name and -role are required")
	}
	roles, err := auth.ParseRoles(*roleList)
	if err != nil {
		return usageError(std, name, "%v (roles: %s)", err, joinNames(auth.Roles()))
	}
	teams, err := auth.ParseTeams(*teamList)
	if err != nil {
		return usageError(std, name, "%v (teams: %s)", err, joinNames(auth.Teams()))
	}
	password, err := readSecretLine(std.In)
	if err != nil {
		return fail(std, name, err)
	}
	s, svc, err := openAuth(ctx, &db)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	if err := svc.CheckPassword(password, auth.NormalizeUsername(*username)); err != nil {
		return fail(std, name, err)
	}
	exists, err := svc.HasAccounts(ctx)
	if err != nil {
		return fail(std, name, err)
	}
	var acct auth.Account
	var en auth.Enrolment
	steward := !exists && slices.Equal(roles, []auth.Role{auth.RoleAdministrator})
	if steward {
		acct, en, err = svc.CreateFirstAdmin(ctx, *username, password, cliActor)
	} else {
		acct, en, err = svc.CreateAccount(ctx, auth.NewAccount{Username: *username, Password: password, Roles: roles, Teams: teams}, nil, cliActor)
	}
	if err != nil {
		return fail(std, name, err)
	}
	fmt.Fprintf(std.Out, "Created account %s (roles: %s; teams: %s).\n", acct.Username, orNone(joinNames(acct.Roles)), orNone(joinNames(acct.Teams)))
	if steward {
		fmt.Fprintln(std.Out, "This first administrator is the bootstrap steward: a member of every team and holder of every team key,")
		fmt.Fprintln(std.Out, "so that it can pass each key to the members added later when it signs in. Hand the teams over, then leave them.")
	}
	if len(acct.Pending) > 0 {
		fmt.Fprintf(std.Out, "Waiting for the keys of: %s (given when someone who holds them next signs in).\n", joinNames(acct.Pending))
	}
	printEnrolment(std.Out, en)
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// printEnrolment shows a second factor to set up, once.
func printEnrolment(w io.Writer, en auth.Enrolment) {
	fmt.Fprintln(w, "Add this to the person's authenticator app (as a QR code or by pasting it); it is shown only now:")
	fmt.Fprintln(w, en.URI)
	fmt.Fprintln(w, "Recovery codes: each works once instead of a code. Give them to the person to keep offline:")
	for _, c := range en.RecoveryCodes {
		fmt.Fprintln(w, "  "+c)
	}
}

func runUserList(ctx context.Context, std stdio, args []string) int {
	const name = "user list"
	fs := newFlags(std, name, "user list -data DIR [-db URL]")
	var db dbFlags
	db.register(fs, "")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, name, "-data is required")
	}
	s, svc, err := openAuth(ctx, &db)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	accts, err := svc.ListAccounts(ctx)
	if err != nil {
		return fail(std, name, err)
	}
	tw := tabwriter.NewWriter(std.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tSTATUS\tROLES\tTEAMS\tWAITING FOR KEY\tDURESS\tCREATED")
	for _, a := range accts {
		duress := "no"
		if a.DuressSet {
			duress = "set"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Username, a.Status, orDash(joinNames(a.Roles)), orDash(joinNames(a.Teams)),
			orDash(joinNames(a.Pending)), duress, a.Created.Format("2006-01-02"))
	}
	tw.Flush()
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(s, ", ", ",")
}

func runUserNamed(ctx context.Context, std stdio, sub string, args []string) int {
	name := "user " + sub
	synopsis := name + " -data DIR [-db URL] -name NAME"
	if sub == "duress" {
		synopsis += "  (duress password on standard input)"
	}
	fs := newFlags(std, name, synopsis)
	var db dbFlags
	db.register(fs, "")
	username := fs.String("name", "", "the account's `username`")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" || *username == "" {
		return usageError(std, name, "-data and -name are required")
	}
	var duress string
	if sub == "duress" {
		var err error
		if duress, err = readSecretLine(std.In); err != nil {
			return fail(std, name, err)
		}
	}
	s, svc, err := openAuth(ctx, &db)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	user := auth.NormalizeUsername(*username)
	switch sub {
	case "suspend":
		err = svc.Suspend(ctx, user, cliActor)
		if err == nil {
			fmt.Fprintf(std.Out, "Suspended %s and ended their sessions.\n", user)
		}
	case "activate":
		err = svc.Activate(ctx, user, cliActor)
		if err == nil {
			fmt.Fprintf(std.Out, "%s may sign in again.\n", user)
		}
	case "reset-2fa":
		var en auth.Enrolment
		en, err = svc.ResetTOTP(ctx, user, cliActor)
		if err == nil {
			fmt.Fprintf(std.Out, "%s has a new second factor; the old codes and recovery codes no longer work, and their sessions ended.\n", user)
			printEnrolment(std.Out, en)
		}
	case "duress":
		err = svc.SetDuressFor(ctx, user, duress, cliActor)
		if err == nil {
			fmt.Fprintf(std.Out, "Set the duress password of %s. Signing in with it suspends the account and raises an alert.\n", user)
		}
	}
	if errors.Is(err, auth.ErrNotFound) {
		return fail(std, name, fmt.Errorf("there is no account %q", user))
	}
	if err != nil {
		return fail(std, name, err)
	}
	return 0
}
