package passage_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/keys"
	"embrace/internal/passage"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/testtool"
)

// deployment is a world with a case in passage and a coordinator.
type deployment struct {
	w      *caseworktest.World
	s      *store.Store
	svc    *passage.Service
	clock  *testtool.Clock
	coord  caseworktest.Staff
	hand   caseworktest.Staff
	caseID int64
	people []string
}

var toPassage = []string{casework.StateScreening, casework.StateVetting, casework.StateVerified, casework.StateInPassage}

func newDeployment(t *testing.T, s *store.Store) *deployment {
	t.Helper()
	w := caseworktest.New(t, s)
	in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
	vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
	hand := w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework")
	coord := w.Staff(t, "coord1", []auth.Role{auth.RolePassageCoordinator}, "passage")
	id := w.OpenCase(t, caseworktest.Case())
	w.Move(t, id, toPassage, in, vet, hand)
	c, err := w.CW.Get(context.Background(), coord.Ring, id)
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{w: w, s: s, clock: testtool.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), coord: coord, hand: hand, caseID: id}
	for _, p := range c.People {
		d.people = append(d.people, p.ID)
	}
	d.svc = passage.New(s, w.CW, d.clock.Now)
	return d
}

// threeLegs is a route whose every amber field holds a canary.
func threeLegs(caseID int64, people []string) passage.NewPlan {
	return passage.NewPlan{CaseID: caseID, Travellers: people, Legs: []passage.Leg{
		{From: "Myawaddy CANARY-FROM-1", To: "Moei river CANARY-TO-1", Start: "2026-03-02T06:00", End: "2026-03-02T12:00", Guide: "Ko Lin CANARY-GUIDE-1", Codeword: "CANARY-CODE-1", Notes: "CANARY-NOTES-1"},
		{From: "Moei river CANARY-FROM-2", To: "Mae Sot CANARY-TO-2", Start: "2026-03-02T12:00", End: "2026-03-02T20:00", Guide: "Ma Hnin CANARY-GUIDE-2", Codeword: "CANARY-CODE-2", Notes: "CANARY-NOTES-2"},
		{From: "Mae Sot CANARY-FROM-3", To: "safe house CANARY-TO-3", Start: "2026-03-02T20:00", End: "2026-03-03T08:00", Guide: "U Tun CANARY-GUIDE-3", Codeword: "CANARY-CODE-3", Notes: "CANARY-NOTES-3"},
	}}
}

func count(t *testing.T, s *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot is everything a refused check-in must leave unchanged.
func snapshot(t *testing.T, s *store.Store) string {
	t.Helper()
	rows, err := s.DB().Query("SELECT id, status, problems FROM passage_legs ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, st string
		var p int
		if err := rows.Scan(&id, &st, &p); err != nil {
			t.Fatal(err)
		}
		b.WriteString(id + st + string(rune('0'+p)) + ";")
	}
	var n, m int
	s.DB().QueryRow("SELECT COUNT(*) FROM passage_checkins").Scan(&n)
	s.DB().QueryRow("SELECT COUNT(*) FROM passage_plans WHERE status = 'active'").Scan(&m)
	b.WriteString(string(rune('0'+n)) + string(rune('0'+m)))
	return b.String()
}

func legText(l passage.Leg) string {
	return strings.Join([]string{l.From, l.To, l.Guide, l.Codeword, l.Notes}, "|")
}

func TestThreeLegRoute(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDeployment(t, s)
		form := url.Values{"traveller": d.people}
		for i, l := range threeLegs(d.caseID, d.people).Legs {
			n := strconv.Itoa(i + 1)
			form.Set("from_"+n, l.From)
			form.Set("to_"+n, l.To)
			form.Set("start_"+n, l.Start)
			form.Set("end_"+n, l.End)
			form.Set("guide_"+n, l.Guide)
			form.Set("codeword_"+n, l.Codeword)
			form.Set("notes_"+n, l.Notes)
		}
		form.Set("guide_3", "ေဒၚသီတာ") // Zawgyi
		np, err := passage.ParsePlanForm(d.caseID, form)
		if err != nil {
			t.Fatal(err)
		}
		created, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, np)
		if err != nil {
			t.Fatal(err)
		}
		if len(created.Links) != 3 {
			t.Fatalf("%d links", len(created.Links))
		}
		if s := created.Links[0].String(); s != "[redacted]" {
			t.Fatalf("a link prints as %q", s)
		}
		// Each link opens its own leg and nothing of the others.
		for i, l := range created.Links {
			v, err := d.svc.Guide(ctx, l)
			if err != nil {
				t.Fatalf("leg %d: %v", i+1, err)
			}
			txt := legText(v.Leg)
			for j := 1; j <= 3; j++ {
				has := strings.Contains(txt, "CANARY-CODE-"+string(rune('0'+j)))
				if has != (j == i+1) {
					t.Fatalf("leg %d's view has leg %d's codeword: %v", i+1, j, has)
				}
			}
			if v.Position != i+1 || v.Legs != 3 || v.CanPickUp != (i == 0) {
				t.Fatalf("leg %d view: %+v", i+1, v)
			}
		}
		// Zawgyi typed in a place is converted; the original is kept, sealed.
		zg, err := d.svc.Get(ctx, d.coord.Actor, d.coord.Ring, created.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		if l := zg.LegViews[2]; l.Leg.Guide != "ဒေါ်သီတာ" || l.Originals["guide"] != "ေဒၚသီတာ" {
			t.Fatalf("Zawgyi guide name: %q, originals %v", l.Leg.Guide, l.Originals)
		}
		// Nothing amber is stored in the clear.
		var sealed []byte
		if err := s.DB().QueryRow("SELECT sealed FROM passage_legs WHERE position = 1").Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(sealed), "CANARY") {
			t.Fatal("a leg is stored in the clear")
		}

		refused := func(name string, want error, f func() error) {
			t.Helper()
			before := snapshot(t, s)
			audits := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'passage.refused'")
			if err := f(); !errors.Is(err, want) {
				t.Fatalf("%s: %v, want %v", name, err, want)
			}
			if after := snapshot(t, s); after != before {
				t.Fatalf("%s changed something: %s → %s", name, before, after)
			}
			if n := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'passage.refused'"); n != audits+1 {
				t.Fatalf("%s not audited", name)
			}
		}
		links, legs := created.Links, created.LegIDs
		checkin := func(i int, kind string) {
			t.Helper()
			if _, err := d.svc.CheckIn(ctx, links[i], legs[i], kind, ""); err != nil {
				t.Fatalf("leg %d %s: %v", i+1, kind, err)
			}
		}
		refused("leg 2 picked up before leg 1 handed over", passage.ErrOutOfOrder, func() error {
			_, err := d.svc.CheckIn(ctx, links[1], legs[1], passage.CheckPickedUp, "")
			return err
		})
		refused("leg 1 handed over before pick-up", passage.ErrOutOfOrder, func() error {
			_, err := d.svc.CheckIn(ctx, links[0], legs[0], passage.CheckHandedOver, "")
			return err
		})
		refused("another leg's form", passage.ErrWrongLeg, func() error {
			_, err := d.svc.CheckIn(ctx, links[0], legs[1], passage.CheckPickedUp, "")
			return err
		})
		refused("unknown kind", passage.ErrInvalid, func() error {
			_, err := d.svc.CheckIn(ctx, links[0], legs[0], "arrived", "")
			return err
		})
		checkin(0, passage.CheckPickedUp)
		refused("picked up twice", passage.ErrOutOfOrder, func() error {
			_, err := d.svc.CheckIn(ctx, links[0], legs[0], passage.CheckPickedUp, "")
			return err
		})
		checkin(0, passage.CheckHandedOver)
		refused("leg 1's link reused", passage.ErrLegComplete, func() error {
			_, err := d.svc.CheckIn(ctx, links[0], legs[0], passage.CheckProblem, "again")
			return err
		})
		refused("leg 1's page after completion", passage.ErrLegComplete, func() error {
			_, err := d.svc.Guide(ctx, links[0])
			return err
		})
		checkin(1, passage.CheckPickedUp)
		if _, err := d.svc.CheckIn(ctx, links[1], legs[1], passage.CheckProblem, "checkpoint CANARY-PROBLEM"); err != nil {
			t.Fatal(err)
		}
		al, err := d.svc.Alerts(ctx, d.coord.Ring)
		if err != nil {
			t.Fatal(err)
		}
		if len(al) != 1 || al[0].Kind != passage.AlertProblem || !al[0].Urgent || al[0].LegID != legs[1] {
			t.Fatalf("alerts after a problem: %+v", al)
		}
		checkin(1, passage.CheckHandedOver)
		checkin(2, passage.CheckPickedUp)
		if sum, _ := d.w.CW.Summary(ctx, d.caseID); sum.State != casework.StateInPassage {
			t.Fatalf("case moved early: %s", sum.State)
		}
		checkin(2, passage.CheckHandedOver)
		if n := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'passage.checkin'"); n != 7 {
			t.Fatalf("%d check-ins audited, want 7", n)
		}
		// The coordinator reads the route, problem message included.
		pv, err := d.svc.Get(ctx, d.coord.Actor, d.coord.Ring, created.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		if pv.Status != passage.PlanArrived || pv.Done != 3 || len(pv.LegViews) != 3 || pv.LegViews[1].Checkins[1].Message != "checkpoint CANARY-PROBLEM" {
			t.Fatalf("plan after arrival: %+v", pv)
		}
		// The next coordinator session moves the case to arrived.
		n, err := d.svc.Settle(ctx, d.coord.Actor, d.coord.Ring)
		if err != nil || n != 1 {
			t.Fatalf("settle: %d, %v", n, err)
		}
		if sum, _ := d.w.CW.Summary(ctx, d.caseID); sum.State != casework.StateArrived {
			t.Fatalf("case in %s after the last hand-over", sum.State)
		}
		if n, err := d.svc.Settle(ctx, d.coord.Actor, d.coord.Ring); err != nil || n != 0 {
			t.Fatalf("settle twice: %d, %v", n, err)
		}

		// Purge: nothing before the period, everything amber after it.
		if n, err := d.svc.Purge(ctx, d.clock.Now().AddDate(0, 0, passage.DefaultPurgeDays-1)); err != nil || n != 0 {
			t.Fatalf("early purge: %d, %v", n, err)
		}
		esc := keys.NewKeyring()
		escID, _ := d.w.EscrowID.Clone()
		escP, _ := keys.Escrow(ctx, s.DB())
		esc.Add(escP.ID, escID)
		defer esc.Wipe()
		if _, err := esc.OpenObjectKey(ctx, s.DB(), passage.ObjectLeg, legs[0]); err != nil {
			t.Fatalf("escrow cannot open a leg before the purge: %v", err)
		}
		if n, err := d.svc.Purge(ctx, d.clock.Now().AddDate(0, 0, passage.DefaultPurgeDays+1)); err != nil || n != 1 {
			t.Fatalf("purge: %d, %v", n, err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM passage_legs", "SELECT COUNT(*) FROM passage_checkins", "SELECT COUNT(*) FROM passage_travellers",
			"SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'"} {
			if n := count(t, s, q); n != 0 {
				t.Fatalf("%s: %d after the purge", q, n)
			}
		}
		for _, l := range legs {
			if _, err := esc.OpenObjectKey(ctx, s.DB(), passage.ObjectLeg, l); !errors.Is(err, keys.ErrNoAccess) {
				t.Fatalf("escrow still opens leg %s: %v", l, err)
			}
		}
		if _, err := d.svc.Guide(ctx, links[2]); !errors.Is(err, passage.ErrLinkUnknown) {
			t.Fatalf("a purged link: %v", err)
		}
		pv, err = d.svc.Get(ctx, d.coord.Actor, d.coord.Ring, created.PlanID)
		if err != nil || pv.Status != passage.PlanPurged || pv.Legs != 3 || pv.ArrivedDay == "" || len(pv.LegViews) != 0 {
			t.Fatalf("purged plan: %+v, %v", pv, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'passage.purge'"); n != 1 {
			t.Fatalf("%d purges audited", n)
		}
	})
}

func TestOverdueAndExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDeployment(t, s)
		created, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, threeLegs(d.caseID, d.people[:1]))
		if err != nil {
			t.Fatal(err)
		}
		if al, err := d.svc.Alerts(ctx, d.coord.Ring); err != nil || len(al) != 0 {
			t.Fatalf("alerts before any window ended: %+v, %v", al, err)
		}
		// Leg 1 ends 2026-03-02 12:00 Myanmar time (05:30 UTC).
		d.clock.Advance(29*time.Hour + 31*time.Minute)
		al, err := d.svc.Alerts(ctx, d.coord.Ring)
		if err != nil || len(al) != 1 || al[0].Kind != passage.AlertOverdue || al[0].Position != 1 || al[0].Urgent {
			t.Fatalf("overdue alerts: %+v, %v", al, err)
		}
		// Someone without the passage team's key sees no alert content.
		other := d.w.Staff(t, "other", []auth.Role{auth.RolePassageCoordinator})
		if al, err := d.svc.Alerts(ctx, other.Ring); err != nil || len(al) != 0 {
			t.Fatalf("alerts for a ring without the team key: %+v, %v", al, err)
		}
		if _, err := d.svc.Get(ctx, other.Actor, other.Ring, created.PlanID); !errors.Is(err, passage.ErrNotFound) {
			t.Fatalf("a ring without the team key reads the plan: %v", err)
		}
		// The link still works within the grace period, not after it.
		if _, err := d.svc.Guide(ctx, created.Links[0]); err != nil {
			t.Fatal(err)
		}
		d.clock.Advance(passage.DefaultLinkHours * time.Hour)
		before := snapshot(t, s)
		if _, err := d.svc.CheckIn(ctx, created.Links[0], created.LegIDs[0], passage.CheckPickedUp, ""); !errors.Is(err, passage.ErrLinkExpired) {
			t.Fatalf("expired link: %v", err)
		}
		if snapshot(t, s) != before {
			t.Fatal("an expired link changed something")
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'passage.refused' AND detail LIKE '%link_expired%'"); n != 1 {
			t.Fatalf("expired link audited %d times", n)
		}
		// A new link from the coordinator works, the old one no more.
		l, err := d.svc.NewLink(ctx, d.coord.Actor, d.coord.Ring, created.LegIDs[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.Guide(ctx, created.Links[1]); !errors.Is(err, passage.ErrLinkUnknown) {
			t.Fatalf("the replaced link: %v", err)
		}
		if _, err := d.svc.Guide(ctx, l); err != nil {
			t.Fatalf("the new link: %v", err)
		}
	})
}

func TestPlanRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDeployment(t, s)
		in := d.w.Staff(t, "intake2", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		fresh := d.w.OpenCase(t, caseworktest.Case())
		otherCase := d.w.OpenCase(t, caseworktest.Case())
		oc, err := d.w.CW.Get(ctx, in.Ring, otherCase)
		if err != nil {
			t.Fatal(err)
		}
		good := threeLegs(d.caseID, d.people)
		// The intake officer, given the role for the test, reaches the state check.
		in.Actor.Roles = append(in.Actor.Roles, auth.RolePassageCoordinator)
		mut := func(f func(p *passage.NewPlan)) passage.NewPlan {
			p := threeLegs(d.caseID, d.people)
			f(&p)
			return p
		}
		cases := []struct {
			name string
			who  caseworktest.Staff
			plan passage.NewPlan
			want error
		}{
			{"case not in passage", in, threeLegs(fresh, d.people), passage.ErrCaseState},
			{"keys do not open the case", d.coord, threeLegs(fresh, d.people), passage.ErrNotFound},
			{"traveller of another case", d.coord, mut(func(p *passage.NewPlan) { p.Travellers = []string{oc.People[0].ID} }), passage.ErrInvalid},
			{"no travellers", d.coord, mut(func(p *passage.NewPlan) { p.Travellers = nil }), passage.ErrInvalid},
			{"no legs", d.coord, mut(func(p *passage.NewPlan) { p.Legs = nil }), passage.ErrInvalid},
			{"end before start", d.coord, mut(func(p *passage.NewPlan) { p.Legs[1].End = "2026-03-02T11:00" }), passage.ErrInvalid},
			{"legs out of time order", d.coord, mut(func(p *passage.NewPlan) { p.Legs[1].Start, p.Legs[1].End = "2026-03-02T06:00", "2026-03-02T11:00" }), passage.ErrInvalid},
			{"bad time", d.coord, mut(func(p *passage.NewPlan) { p.Legs[2].Start = "tomorrow" }), passage.ErrInvalid},
			{"no guide", d.coord, mut(func(p *passage.NewPlan) { p.Legs[0].Guide = " " }), passage.ErrInvalid},
			{"bad UTF-8", d.coord, mut(func(p *passage.NewPlan) { p.Legs[0].Notes = "\xff" }), passage.ErrInvalid},
			{"too long", d.coord, mut(func(p *passage.NewPlan) { p.Legs[0].From = strings.Repeat("x", 400) }), passage.ErrInvalid},
		}
		for _, tc := range cases {
			_, err := d.svc.Plan(ctx, tc.who.Actor, tc.who.Ring, tc.plan)
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
			if strings.Contains(err.Error(), "CANARY") || strings.Contains(err.Error(), "xxxx") {
				t.Errorf("%s: the error echoes input: %v", tc.name, err)
			}
		}
		if _, err := d.svc.Plan(ctx, d.hand.Actor, d.hand.Ring, good); !errors.Is(err, casework.ErrForbidden) {
			t.Errorf("a case handler plans: %v", err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM passage_plans", "SELECT COUNT(*) FROM passage_legs", "SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'",
			"SELECT COUNT(*) FROM audit_entries WHERE action LIKE 'passage.%'"} {
			if n := count(t, s, q); n != 0 {
				t.Errorf("%s: %d after refusals", q, n)
			}
		}
		if _, err := d.svc.Guide(ctx, passage.Link{}); !errors.Is(err, passage.ErrLinkUnknown) {
			t.Errorf("empty link: %v", err)
		}
	})
}

// TestRunPurges: the sweeper purges at start what is due, with its clock.
func TestRunPurges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d := newDeployment(t, s)
		created, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, threeLegs(d.caseID, d.people))
		if err != nil {
			t.Fatal(err)
		}
		for i := range created.Links {
			for _, k := range []string{passage.CheckPickedUp, passage.CheckHandedOver} {
				if _, err := d.svc.CheckIn(ctx, created.Links[i], created.LegIDs[i], k, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.Tx(ctx, func(tx *sql.Tx) error { return store.SetSetting(ctx, tx, passage.SettingPurgeDays, "3") }); err != nil {
			t.Fatal(err)
		}
		d.clock.Advance(4 * 24 * time.Hour)
		done := make(chan struct{})
		go func() { defer close(done); d.svc.Run(ctx, time.Hour, nil) }()
		deadline := time.Now().Add(10 * time.Second)
		for count(t, s, "SELECT COUNT(*) FROM passage_plans WHERE status = 'purged'") != 1 {
			if time.Now().After(deadline) {
				t.Fatal("the sweeper did not purge a route past its period")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		if n := count(t, s, "SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'"); n != 0 {
			t.Fatalf("%d leg wraps left", n)
		}
	})
}

// TestCancelAndAbandoned: a cancelled route is shredded at once and the
// case can be planned again; a route whose case left passage is shredded
// after the purge period, keeping the state it left for as its outcome.
func TestCancelAndAbandoned(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDeployment(t, s)
		a, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, threeLegs(d.caseID, d.people))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, threeLegs(d.caseID, d.people)); !errors.Is(err, passage.ErrRouteExists) {
			t.Fatalf("a second route under way: %v", err)
		}
		if err := d.svc.Cancel(ctx, d.hand.Actor, a.PlanID); !errors.Is(err, casework.ErrForbidden) {
			t.Fatalf("a handler cancels: %v", err)
		}
		if c, _ := d.svc.Candidates(ctx, 10); len(c) != 0 {
			t.Fatal("a case with a route is still a candidate")
		}
		if err := d.svc.Cancel(ctx, d.coord.Actor, a.PlanID); err != nil {
			t.Fatal(err)
		}
		if err := d.svc.Cancel(ctx, d.coord.Actor, a.PlanID); !errors.Is(err, passage.ErrLegComplete) {
			t.Fatalf("cancel twice: %v", err)
		}
		if err := d.svc.Cancel(ctx, d.coord.Actor, "nope"); !errors.Is(err, passage.ErrNotFound) {
			t.Fatalf("cancel unknown: %v", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'"); n != 0 {
			t.Fatalf("%d wraps after cancel", n)
		}
		if _, err := d.svc.Guide(ctx, a.Links[0]); !errors.Is(err, passage.ErrLinkUnknown) {
			t.Fatalf("a cancelled route's link: %v", err)
		}
		if c, _ := d.svc.Candidates(ctx, 10); len(c) != 1 {
			t.Fatal("a case whose route was cancelled is not a candidate again")
		}
		b, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, threeLegs(d.caseID, d.people))
		if err != nil {
			t.Fatal(err)
		}
		d.w.Move(t, d.caseID, []string{casework.StateLost}, d.coord)
		if n, err := d.svc.Purge(ctx, time.Now()); err != nil || n != 0 {
			t.Fatalf("purge before the period: %d, %v", n, err)
		}
		if n, err := d.svc.Purge(ctx, time.Now().AddDate(0, 0, passage.DefaultPurgeDays+1)); err != nil || n != 1 {
			t.Fatalf("purge of an abandoned route: %d, %v", n, err)
		}
		pv, err := d.svc.Get(ctx, d.coord.Actor, d.coord.Ring, b.PlanID)
		if err != nil || pv.Outcome != casework.StateLost || pv.Status != passage.PlanPurged {
			t.Fatalf("abandoned route: %+v %v", pv.Summary, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM passage_legs"); n != 0 {
			t.Fatalf("%d legs left", n)
		}
	})
}

// oneLeg is a one-leg route for case id, in the deployment clock's past.
func oneLeg(id int64, people []string) passage.NewPlan {
	return passage.NewPlan{CaseID: id, Travellers: people[:1], Legs: []passage.Leg{
		{From: "a", To: "b", Guide: "g", Start: "2026-03-01T06:00", End: "2026-03-01T12:00"}}}
}

// TestSettleEdges: a case another session already moved is only marked;
// a route purged before any coordinator came back still moves its case.
func TestSettleEdges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDeployment(t, s)
		arrive := func(id int64, people []string) string {
			t.Helper()
			c, err := d.svc.Plan(ctx, d.coord.Actor, d.coord.Ring, oneLeg(id, people))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{passage.CheckPickedUp, passage.CheckHandedOver} {
				if _, err := d.svc.CheckIn(ctx, c.Links[0], c.LegIDs[0], k, ""); err != nil {
					t.Fatal(err)
				}
			}
			return c.PlanID
		}
		first := arrive(d.caseID, d.people)
		d.w.Move(t, d.caseID, []string{casework.StateArrived}, d.coord)
		if n, err := d.svc.Settle(ctx, d.coord.Actor, d.coord.Ring); err != nil || n != 0 {
			t.Fatalf("settle a case already moved: %d, %v", n, err)
		}
		if pv, _ := d.svc.Get(ctx, d.coord.Actor, d.coord.Ring, first); !pv.CaseMoved {
			t.Fatal("a case already moved is not marked settled")
		}

		in := d.w.Staff(t, "intake9", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vet := d.w.Staff(t, "vetter9", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		second := d.w.OpenCase(t, caseworktest.Case())
		d.w.Move(t, second, toPassage, in, vet, d.hand)
		c, err := d.w.CW.Get(ctx, d.coord.Ring, second)
		if err != nil {
			t.Fatal(err)
		}
		arrive(second, []string{c.People[0].ID})
		if n, err := d.svc.Purge(ctx, d.clock.Now().AddDate(0, 0, passage.DefaultPurgeDays+1)); err != nil || n != 2 {
			t.Fatalf("purge: %d, %v", n, err)
		}
		if n, err := d.svc.Settle(ctx, d.coord.Actor, d.coord.Ring); err != nil || n != 1 {
			t.Fatalf("settle after the purge: %d, %v", n, err)
		}
		if sum, _ := d.w.CW.Summary(ctx, second); sum.State != casework.StateArrived {
			t.Fatalf("case in %s", sum.State)
		}
	})
}
