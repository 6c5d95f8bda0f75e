package cli

import (
	"context"
	"database/sql"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/passage"
	"embrace/internal/store"
)

// plantPassage plans a two-leg route on a case in passage with a canary in
// every amber field of a leg (places, guide, codeword, notes) and a
// guide's problem message, checks the coordinator reads them back, and
// returns the canaries and the guide links' secrets (which the server
// never stores).
func plantPassage(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	var team keys.Principal
	var teamID *keys.Identity
	var caseID int64
	cw := casework.New(s)
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if team, teamID, err = keys.CreateTeam(ctx, tx, string(auth.TeamPassage)); err != nil {
			return err
		}
		nc := casework.NewCase{Green: casework.Green{Service: "police", RankBand: "nco", Region: "MMR013", ContactMonth: "2021-09"},
			Defector: casework.Person{NameLatin: "Passage Traveller"}}
		if caseID, err = cw.Open(ctx, tx, nc, team); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE cases SET state = $1, team = $2 WHERE id = $3", casework.StateInPassage, casework.TeamPassage, caseID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(team.ID, teamID)
	c, err := cw.Get(ctx, ring, caseID)
	if err != nil {
		t.Fatal(err)
	}
	vals := []string{"LegFrom-Qzpf-1180", "LegTo-Qzpt-2291", "LegGuide-Qzpg-3302", "LegCode-Qzpc-4413", "LegNotes-Qzpn-5524", "LegProblem-Qzpp-6635"}
	np := passage.NewPlan{CaseID: caseID, Travellers: []string{c.People[0].ID}, Legs: []passage.Leg{
		{From: vals[0], To: vals[1], Guide: vals[2], Codeword: vals[3], Notes: vals[4], Start: "2030-01-01T06:00", End: "2030-01-01T12:00"},
		{From: "second leg", To: "Mae Sot", Guide: "second guide", Start: "2030-01-01T12:00", End: "2030-01-01T20:00"},
	}}
	pg := passage.New(s, cw, nil)
	actor := casework.Actor{Name: "user:coordinator", Roles: []auth.Role{auth.RolePassageCoordinator}}
	created, err := pg.Plan(ctx, actor, ring, np)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pg.CheckIn(ctx, created.Links[0], created.LegIDs[0], passage.CheckPickedUp, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.CheckIn(ctx, created.Links[0], created.LegIDs[0], passage.CheckProblem, vals[5]); err != nil {
		t.Fatal(err)
	}
	pv, err := pg.Get(ctx, actor, ring, created.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	l := pv.LegViews[0]
	if l.Leg.From != vals[0] || l.Leg.To != vals[1] || l.Leg.Guide != vals[2] || l.Leg.Codeword != vals[3] || l.Leg.Notes != vals[4] || l.Checkins[1].Message != vals[5] {
		t.Fatal("the planted route does not read back")
	}
	for _, lk := range created.Links {
		vals = append(vals, lk.Secret())
	}
	return vals
}
