package cli

import (
	"context"
	"database/sql"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// Canaries of the shelter's red and amber fields.
const (
	canaryHouseAddress = "ShelterAddress-Qzsa-Soi-7713"
	canaryHouseContact = "ShelterContact-Qzsc Ko Htet"
	canaryHousePhone   = "+66-81-QZ-5519"
	canaryHouseNotes   = "ShelterNotes-Qzsn-Back-Gate-2284"
	canaryResident     = "ShelterResident-Qzsr Aung"
	canaryNeedNote     = "ShelterNeed-Qzsd-Insulin-6630"
)

// plantShelter creates a house whose details are canaries, shelters a
// verified case whose defector's name is a canary (so the resident names
// and the address disclosed to the case are sealed too), records a need
// with a canary note, checks the shelter team reads them all back, and
// returns the canaries.
func plantShelter(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	ring := keys.NewKeyring()
	defer ring.Wipe()
	for _, name := range []string{casework.TeamCasework, string(auth.TeamShelter)} {
		var p keys.Principal
		var id *keys.Identity
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			p, id, err = keys.CreateTeam(ctx, tx, name)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ring.Add(p.ID, id)
	}
	uid, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	u, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindUser, "shelter-planter", uid.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	ring.Add(u.ID, uid)
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{Name: "user:shelter-planter", Principal: u.ID,
		Roles: []auth.Role{auth.RoleVettingOfficer, auth.RoleCaseHandler, auth.RoleShelterCoordinator}}

	nc := casework.NewCase{Green: casework.Green{Service: "army", RankBand: "enlisted", Region: "MMR013", ContactMonth: "2021-09"},
		Defector: casework.Person{NameLatin: canaryResident}}
	p, err := casework.Prepare(nc, esc, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetState(casework.StateVetting); err != nil {
		t.Fatal(err)
	}
	cw := casework.New(s)
	var caseID int64
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if caseID, err = cw.Insert(ctx, tx, p); err != nil {
			return err
		}
		return vetting.SetQuarantineDays(ctx, tx, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	// vetting's verdict, as its confirmation makes it
	if err := cw.TransitionDecided(ctx, a, ring, caseID, casework.StateVetting, casework.StateVerified, "verified", nil); err != nil {
		t.Fatal(err)
	}
	c, err := cw.Get(ctx, ring, caseID)
	if err != nil {
		t.Fatal(err)
	}

	sv := shelter.New(s, cw, nil)
	house, err := sv.CreateHouse(ctx, a, shelter.NewHouse{Code: "QZ-1", Area: "Mae Sot", Beds: 4,
		Details: shelter.Details{Address: canaryHouseAddress, Contact: canaryHouseContact, Phone: canaryHousePhone, Notes: canaryHouseNotes}})
	if err != nil {
		t.Fatal(err)
	}
	stay, err := sv.Request(ctx, a, ring, caseID, []string{c.People[0].ID}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Assign(ctx, a, ring, stay, house); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.AddNeed(ctx, a, ring, house, "medicine", canaryNeedNote); err != nil {
		t.Fatal(err)
	}

	// They are really there: the shelter team reads them back.
	h, err := sv.House(ctx, ring, house, a.Name)
	if err != nil || h.Address != canaryHouseAddress || h.Contact != canaryHouseContact || h.Phone != canaryHousePhone || h.Notes != canaryHouseNotes {
		t.Fatalf("house does not read back: %v", err)
	}
	rs, err := sv.Residents(ctx, ring, house, a.Name)
	if err != nil || len(rs) != 1 || rs[0].Residents[0].NameLatin != canaryResident || rs[0].Disclosed == nil || rs[0].Disclosed.Address != canaryHouseAddress {
		t.Fatalf("residents do not read back: %v", err)
	}
	ns, err := sv.Needs(ctx, ring, house, a.Name)
	if err != nil || len(ns) != 1 || ns[0].Note != canaryNeedNote {
		t.Fatalf("need does not read back: %v", err)
	}
	return []string{canaryHouseAddress, canaryHouseContact, canaryHousePhone, canaryHouseNotes, canaryResident, canaryNeedNote}
}
