package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/synth"
)

func runDemo(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "demo", "demo [-addr 127.0.0.1:8080] [-data DIR] [-cases N] [-argon2id t=N,m=KiB,p=N]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address` (loopback by default)")
	data := fs.String("data", "embrace-demo", "the demo deployment's data `directory`")
	cases := fs.Int("cases", synth.DefaultTotal, "how many synthetic `cases` a new demo gets")
	kdf := kdfFlag(fs)
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if err := checkKDF(*kdf); err != nil {
		return usageError(std, "demo", "%v", err)
	}
	if *cases < 1 || *cases > 1_000_000 {
		return usageError(std, "demo", "-cases must be between 1 and 1000000")
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError(std, "demo", "-addr %q is not HOST:PORT", *addr)
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(std.Err, "embrace demo: warning: serving demo data beyond this machine on %s\n", *addr)
	}
	d, s, created, err := openOrCreateDemo(ctx, *data, *cases, *kdf)
	if err != nil {
		return fail(std, "demo", err)
	}
	defer s.Close()
	ln, err := listen(*addr)
	if err != nil {
		return fail(std, "demo", err)
	}
	if created {
		fmt.Fprintf(std.Out, "Created a demo deployment in %s.\n", d.Dir)
	} else {
		fmt.Fprintf(std.Out, "Reopened the demo deployment in %s.\n", d.Dir)
	}
	showDemoAccounts(std.Out, d.Dir)
	if err := serve(ctx, std, ln, d, s, fmt.Sprintf("Embrace demo: http://%s/", ln.Addr())); err != nil {
		return fail(std, "demo", err)
	}
	return 0
}

// openOrCreateDemo reopens the demo deployment in dir, or creates it and
// fills it with the synthetic dataset. It refuses a real deployment: demo
// data never mixes with real data.
func openOrCreateDemo(ctx context.Context, dir string, cases int, kdf string) (d store.Deployment, s *store.Store, created bool, err error) {
	if _, statErr := os.Stat(filepath.Join(dir, store.MarkerFile)); statErr == nil {
		d, s, err = store.OpenDeployment(ctx, dir, "")
		if err != nil {
			return d, nil, false, err
		}
		if !d.Demo {
			s.Close()
			return d, nil, false, errors.New(dir + " holds a real deployment, not a demo: choose another -data")
		}
		return d, s, false, nil
	}
	// A demo keeps its escrow shares inside its own directory so that
	// recovery can be tried; a real deployment hands them to custodians.
	plan := escrowPlan{dir: filepath.Join(dir, "escrow-shares"), custodians: 5, threshold: 3}
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return d, nil, false, err
	}
	d, s, err = createDeployment(ctx, dir, "", true, plan, kdfSetup(kdf))
	if err != nil {
		if os.IsNotExist(statErr) {
			os.RemoveAll(dir)
		}
		return d, nil, false, err
	}
	if err := fillDemo(ctx, dir, s, cases); err != nil {
		s.Close()
		os.RemoveAll(dir)
		return d, nil, false, fmt.Errorf("fill demo data: %w", err)
	}
	return d, s, true, nil
}

// demoSeed is the generator seed of the demo dataset.
const demoSeed = 2021

// fillDemo gives a new demo deployment an account for every role, the
// synthetic dataset of cases, and intake contacts whose inbox the steward
// has worked (replies, spam, cases opened) with its own keyring.
func fillDemo(ctx context.Context, dir string, s *store.Store, cases int) error {
	return createDemoAccounts(ctx, dir, s, func(steward *auth.Session) error {
		to, err := intakeHolders(ctx, s)
		if err != nil {
			return err
		}
		if err := addSynthetic(ctx, s, demoSeed, cases, to, nil); err != nil {
			return err
		}
		if err := addShelterDemo(ctx, s, steward); err != nil {
			return err
		}
		staff := &demoStaff{ring: steward.Keyring(), actor: steward.Actor(), by: steward.Username}
		if err := addDemoContacts(ctx, s, demoContactCount(cases), staff); err != nil {
			return err
		}
		if err := addDemoPassage(ctx, s, steward); err != nil {
			return err
		}
		if err := addDemoVetting(ctx, s, steward); err != nil {
			return err
		}
		if err := addDemoFinance(ctx, s, steward, time.Now()); err != nil {
			return err
		}
		return addDemoCertificates(ctx, s, steward.Keyring(), steward.Actor(), steward.PrincipalID)
	})
}
