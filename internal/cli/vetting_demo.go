package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/synth"
	"embrace/internal/vetting"
)

// demoInformerSeed keeps the demo's watch list apart from its cases and
// contacts.
const demoInformerSeed = 4004

// demoInformers is how many informers the demo's watch list holds.
const demoInformers = 20

// addDemoVetting gives a demo deployment vetting histories: a watch list
// of synthetic informers; checks, evidence and notes on cases in vetting;
// decisions proposed by the demo's vetting officer and confirmed by its
// vetting lead (some cases verified, so the quarantine shows, one
// rejected, some left waiting); and a few caught infiltrators — cases
// whose defector, recorded again under an informer's name, raised a
// watch-list alert and was decided "suspected infiltrator". It works with
// the steward's keyring, which holds every team key; the audit names the
// demo's officer and lead, whose work this stands for.
func addDemoVetting(ctx context.Context, s *store.Store, steward *auth.Session) error {
	ring := steward.Keyring()
	cw := casework.New(s)
	v := vetting.New(s, cw)
	cw.SetScreener(v.Screen)
	officer, err := demoActor(ctx, s, "vetting", auth.RoleVettingOfficer)
	if err != nil {
		return err
	}
	lead, err := demoActor(ctx, s, "vetlead", auth.RoleVettingLead)
	if err != nil {
		return err
	}

	// The watch list: informers from their own generator, entered in
	// Burmese with romanised names and aliases, units and numbers.
	g := synth.New(demoInformerSeed, demoInformers)
	var informers []vetting.Entry
	for _, d := range g.All() {
		e := vetting.Entry{NameMy: d.NameBurmese, NameLatin: d.NameLatin, Aliases: d.Alias, Unit: d.Unit, NRC: d.NRC,
			ServiceNumber: d.ServiceNumber, Notes: "Reported to military intelligence in " + d.TownshipEnglish + " (synthetic)."}
		if _, err := v.AddEntry(ctx, lead, ring, e); err != nil {
			return fmt.Errorf("demo watch list: %w", err)
		}
		informers = append(informers, e)
	}

	cases, err := cw.Find(ctx, casework.Filter{State: casework.StateVetting, Limit: 40})
	if err != nil {
		return err
	}
	kinds := vetting.DefaultChecklist
	results := []string{vetting.ResultPassed, vetting.ResultPassed, vetting.ResultPassed, vetting.ResultUnclear, vetting.ResultPassed, vetting.ResultFailed}
	for i, c := range cases {
		// Checks: more of the list done on the older cases.
		done := 1 + i%len(kinds)
		for j := 0; j < done; j++ {
			result := results[(i+j)%len(results)]
			note := demoCheckNotes[(i+j)%len(demoCheckNotes)]
			if err := v.RecordCheck(ctx, officer, ring, c.ID, kinds[j], result, note); err != nil {
				return fmt.Errorf("demo check on case %d: %w", c.ID, err)
			}
		}
		if i%4 == 0 {
			scan := []byte("Interview summary (synthetic): unit, rank and commanding officer consistent with what the network knows.\n")
			if _, err := v.AddEvidence(ctx, officer, ring, c.ID, "interview", bytes.NewReader(scan)); err != nil {
				return fmt.Errorf("demo evidence on case %d: %w", c.ID, err)
			}
		}
		switch {
		case i < 3:
			// Caught: the defector is recorded again with the name and
			// card an informer uses; the lead's sweep raises the alert.
			inf := informers[i]
			full, err := cw.Get(ctx, ring, c.ID)
			if err != nil {
				return err
			}
			self := full.People[0]
			self.NameLatin, self.NRC = inf.NameLatin, inf.NRC
			if err := cw.UpdatePerson(ctx, officer, ring, self.ID, self); err != nil {
				return fmt.Errorf("demo infiltrator: %w", err)
			}
			if _, err := v.Sweep(ctx, lead, ring); err != nil {
				return fmt.Errorf("demo sweep: %w", err)
			}
			if err := decide(ctx, v, officer, lead, ring, c.ID, vetting.DecisionInfiltrator, "high", "Watch-list match confirmed at a second interview (synthetic)."); err != nil {
				return err
			}
		case i < 15:
			if err := decide(ctx, v, officer, lead, ring, c.ID, vetting.DecisionVerified, []string{"low", "medium"}[i%2], "All checks passed (synthetic)."); err != nil {
				return err
			}
		case i == 15:
			if err := decide(ctx, v, officer, lead, ring, c.ID, vetting.DecisionRejected, "medium", "Story inconsistent with the unit's known movements (synthetic)."); err != nil {
				return err
			}
		case i < 20:
			// Waiting for a second officer.
			if _, err := v.Propose(ctx, officer, ring, c.ID, vetting.DecisionVerified, "low", "Checks passed; please confirm (synthetic)."); err != nil {
				return err
			}
		}
	}
	_, err = v.Sweep(ctx, lead, ring)
	return err
}

var demoCheckNotes = []string{
	"Card seen on a video call; photo matches (synthetic).",
	"Service number format matches the unit's (synthetic).",
	"Named the battalion commander correctly (synthetic).",
	"Vouched for by a defector from the same company (synthetic).",
	"Partner organisation has no record of this person (synthetic).",
	"Second interview: dates of leave do not quite fit (synthetic).",
}

// decide has officer propose and lead confirm a decision.
func decide(ctx context.Context, v *vetting.Service, officer, lead casework.Actor, ring *keys.Keyring, id int64, decision, risk, reason string) error {
	did, err := v.Propose(ctx, officer, ring, id, decision, risk, reason)
	if err != nil {
		return fmt.Errorf("demo proposal on case %d: %w", id, err)
	}
	if err := v.Confirm(ctx, lead, ring, id, did); err != nil {
		return fmt.Errorf("demo confirmation on case %d: %w", id, err)
	}
	return nil
}

// demoActor is the actor of the demo account username, with role.
func demoActor(ctx context.Context, s *store.Store, username string, role auth.Role) (casework.Actor, error) {
	p, err := keys.LookupPrincipal(ctx, s.DB(), keys.KindUser, username)
	if errors.Is(err, store.ErrNotFound) {
		return casework.Actor{}, fmt.Errorf("demo account %s: %w", username, err)
	}
	if err != nil {
		return casework.Actor{}, err
	}
	return casework.Actor{Name: auth.Actor(username), Principal: p.ID, Roles: []auth.Role{role}}, nil
}
