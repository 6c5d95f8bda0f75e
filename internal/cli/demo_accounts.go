package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/store"
)

// demoAccountsFile holds a demo's sign-in details beside its data, so that
// they can be shown again each time the demo starts. A real deployment
// never has one: its passwords are known only to their owners.
const demoAccountsFile = "demo-accounts.txt"

// demoAccount is one account every demo gets: one per role, in the team
// that role works in.
type demoAccount struct {
	username string
	role     auth.Role
	teams    []auth.Team
}

// demoAccounts lists the demo's accounts. The administrator comes first: it
// is the bootstrap steward that holds every team key and hands each to the
// others as they are created.
func demoAccounts() []demoAccount {
	return []demoAccount{
		{"admin", auth.RoleAdministrator, nil},
		{"intake", auth.RoleIntakeOfficer, []auth.Team{auth.TeamIntake}},
		{"vetting", auth.RoleVettingOfficer, []auth.Team{auth.TeamVetting}},
		{"vetlead", auth.RoleVettingLead, []auth.Team{auth.TeamVetting, auth.TeamWatchList}},
		{"handler", auth.RoleCaseHandler, []auth.Team{auth.TeamCasework}},
		{"passage", auth.RolePassageCoordinator, []auth.Team{auth.TeamPassage}},
		{"shelter", auth.RoleShelterCoordinator, []auth.Team{auth.TeamShelter}},
		{"finance", auth.RoleFinanceOfficer, []auth.Team{auth.TeamFinance}},
		{"certifier", auth.RoleCertifyingOfficer, []auth.Team{auth.TeamCertification}},
		{"analyst", auth.RoleAnalyst, nil},
	}
}

// demoPassword returns a random passphrase of four groups of lowercase
// letters: long, easy to type, and not on any common-password list.
func demoPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyz"
	var b [16]byte
	rand.Read(b[:])
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(letters[int(c)%len(letters)])
	}
	return sb.String()
}

// createDemoAccounts creates an account for every role in a new demo and
// writes their sign-in details to the demo's accounts file. The steward
// signs in once, with one of its own recovery codes, so that its
// keyring can give each team key to that team's demo members at once;
// then, still signed in, it runs work (the demo's inbox is worked with its
// keyring, which holds every team key) and signs out.
func createDemoAccounts(ctx context.Context, dir string, s *store.Store, work func(steward *auth.Session) error) (err error) {
	params, err := auth.LoadParams(ctx, s)
	if err != nil {
		return err
	}
	svc, err := auth.New(auth.Config{Store: s, Params: params})
	if err != nil {
		return err
	}
	var out strings.Builder
	fmt.Fprintln(&out, "Demo accounts (synthetic deployment only). Sign in at /login with the username, the password and")
	fmt.Fprintln(&out, "a code from an authenticator app given the otpauth URI, or from: oathtool --totp -b SECRET")
	fmt.Fprintln(&out)
	all := demoAccounts()
	admin := all[0]
	adminPassword := demoPassword()
	_, en, err := svc.CreateFirstAdmin(ctx, admin.username, adminPassword, cliActor)
	if err != nil {
		return fmt.Errorf("demo account %s: %w", admin.username, err)
	}
	writeDemoAccount(&out, admin, adminPassword, en)
	// One of the steward's recovery codes (not the one shown) signs it in,
	// so that the current TOTP code stays unused for the person trying the
	// demo.
	burnt := en.RecoveryCodes[len(en.RecoveryCodes)-1]
	sess, _, err := svc.Login(ctx, auth.LoginRequest{Username: admin.username, Password: adminPassword, Code: burnt, Kind: auth.KindAPI, Client: cliActor})
	if err != nil {
		return fmt.Errorf("demo steward sign-in: %w", err)
	}
	defer func() {
		if lerr := svc.Logout(context.WithoutCancel(ctx), sess); lerr != nil && err == nil {
			err = fmt.Errorf("demo steward sign-out: %w", lerr)
		}
	}()
	for _, a := range all[1:] {
		pw := demoPassword()
		_, en, err := svc.CreateAccount(ctx, auth.NewAccount{Username: a.username, Password: pw, Roles: []auth.Role{a.role}, Teams: a.teams}, sess.Keyring(), sess.Actor())
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.username, err)
		}
		writeDemoAccount(&out, a, pw, en)
	}
	if err := os.WriteFile(filepath.Join(dir, demoAccountsFile), []byte(out.String()), 0o600); err != nil {
		return err
	}
	if work == nil {
		return nil
	}
	return work(sess)
}

func writeDemoAccount(w io.Writer, a demoAccount, password string, en auth.Enrolment) {
	fmt.Fprintf(w, "%-10s %-20s password %s\n", a.username, a.role, password)
	fmt.Fprintf(w, "           TOTP secret %s  %s\n", en.Secret, en.URI)
	fmt.Fprintf(w, "           recovery code %s\n", en.RecoveryCodes[0])
}

// showDemoAccounts prints the demo's accounts file, if it has one.
func showDemoAccounts(w io.Writer, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, demoAccountsFile))
	if err != nil {
		return
	}
	fmt.Fprintln(w)
	w.Write(b)
	fmt.Fprintln(w)
}
