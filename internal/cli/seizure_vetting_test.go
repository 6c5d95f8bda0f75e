package cli

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// Canaries of vetting's red data: a watch-list entry's name, unit and
// notes, a check's notes, an evidence file, a decision's reason, and a
// person's name that sits only in a screening record and the case.
const (
	canaryWatchName = "Watchname-Qzwl Kyaw"
	canaryWatchUnit = "Watchunit-Qzwu-LIB-9912"
	canaryWatchNote = "Watchnote-Qzwn-MI-Contact-7731"
	canaryCheckNote = "Checknote-Qzcn-Card-Seen-5512"
	canaryEvidence  = "Evidence-Qzev-Interview-Transcript-6631"
	canaryDecision  = "Decision-Qzdr-Consistent-Story-2281"
	canaryScreened  = "Screened-Qzsn Htun"
)

// plantVetting fills every red field of vetting with a canary: a watch-list
// entry, a case in vetting with a check, evidence and a proposed decision,
// a relative matching the entry (swept into an alert) and one left in a
// pending screening record. It checks the planter reads them back and that
// escrow holds a wrap of every key, and returns the canaries.
func plantVetting(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	uid, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	u, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindUser, "vetplanter", uid.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(u.ID, uid)
	var team keys.Principal
	var teamID *keys.Identity
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		team, teamID, err = keys.CreateTeam(ctx, tx, string(auth.TeamWatchList))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ring.Add(team.ID, teamID)
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	cw := casework.New(s)
	v := vetting.New(s, cw)
	cw.SetScreener(v.Screen)
	a := casework.Actor{Name: "user:vetplanter", Principal: u.ID, Roles: []auth.Role{auth.RoleVettingLead, auth.RoleCaseHandler}}

	if _, err := v.AddEntry(ctx, a, ring, vetting.Entry{NameLatin: canaryWatchName, Unit: canaryWatchUnit, Notes: canaryWatchNote}); err != nil {
		t.Fatal(err)
	}
	nc := casework.NewCase{Green: casework.Green{Service: "army", RankBand: "nco", ContactMonth: "2022-03"}, Defector: casework.Person{NameLatin: "Min Thu"}}
	p, err := casework.Prepare(nc, esc, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetState(casework.StateVetting); err != nil {
		t.Fatal(err)
	}
	var caseID int64
	if err := s.Tx(ctx, func(tx *sql.Tx) error { caseID, err = cw.Insert(ctx, tx, p); return err }); err != nil {
		t.Fatal(err)
	}
	steps := []error{
		v.RecordCheck(ctx, a, ring, caseID, "interview", vetting.ResultPassed, canaryCheckNote),
		second(v.AddEvidence(ctx, a, ring, caseID, "interview", strings.NewReader(canaryEvidence+"\n"))),
		second(v.Propose(ctx, a, ring, caseID, vetting.DecisionVerified, "low", canaryDecision)),
		second(cw.AddPerson(ctx, a, ring, caseID, casework.Person{Relation: "sibling", NameLatin: canaryWatchName})),
		second(v.Sweep(ctx, a, ring)),
		second(cw.AddPerson(ctx, a, ring, caseID, casework.Person{Relation: "sibling", NameLatin: canaryScreened})),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("plant vetting step %d: %v", i, err)
		}
	}
	if countRows(t, s, "SELECT count(*) FROM vetting_alerts") == 0 || countRows(t, s, "SELECT count(*) FROM vetting_screening") == 0 {
		t.Fatal("no alert, or no pending screening record, planted")
	}
	// The values are really stored: the planter reads them back.
	view, err := v.Get(ctx, ring, caseID)
	if err != nil {
		t.Fatal(err)
	}
	es, err := v.Entries(ctx, a, ring)
	if err != nil || len(es) != 1 || es[0].Notes != canaryWatchNote || es[0].Unit != canaryWatchUnit {
		t.Fatalf("watch list does not read back: %v", err)
	}
	ev, _, err := v.OpenEvidence(ctx, a, ring, caseID, view.Checks[len(view.Checks)-1].Evidence[0].ID)
	if err != nil || !bytes.Contains(ev, []byte(canaryEvidence)) {
		t.Fatalf("evidence does not read back: %v", err)
	}
	if view.Decisions[0].Reason != canaryDecision {
		t.Fatal("decision reason does not read back")
	}
	// Escrow holds a wrap of every vetting key.
	rows, err := s.DB().Query("SELECT DISTINCT object_kind, object_id FROM key_wraps WHERE object_kind LIKE 'watchlist.%' OR object_kind = 'vetting.screen'")
	if err != nil {
		t.Fatal(err)
	}
	var objs [][2]string
	for rows.Next() {
		var o [2]string
		rows.Scan(&o[0], &o[1])
		objs = append(objs, o)
	}
	rows.Close()
	if len(objs) < 4 {
		t.Fatalf("only %d vetting keys planted", len(objs))
	}
	for _, o := range objs {
		ps, err := keys.WrappedTo(ctx, s.DB(), o[0], o[1])
		if err != nil || !slices.Contains(ps, esc.ID) {
			t.Fatalf("%s %s is not wrapped to escrow", o[0], o[1])
		}
	}
	return []string{canaryWatchName, canaryWatchUnit, canaryWatchNote, canaryCheckNote, canaryEvidence, canaryDecision, canaryScreened}
}
