package casework_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestLifecycleTableIsConsistent(t *testing.T) {
	t.Parallel()
	for _, st := range casework.States() {
		if !casework.KnownState(st) {
			t.Errorf("%s listed but not in the table", st)
		}
		for _, m := range casework.Moves(st) {
			if !casework.KnownState(m.To) {
				t.Errorf("%s → %s: unknown target", st, m.To)
			}
			if !auth.KnownPermission(m.Perm) {
				t.Errorf("%s → %s: permission %q is held by no role", st, m.To, m.Perm)
			}
		}
	}
	// Every state is reachable from contacted.
	seen := map[string]bool{casework.StateContacted: true}
	queue := []string{casework.StateContacted}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for _, to := range casework.AllowedFrom(st) {
			if !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	for _, st := range casework.States() {
		if !seen[st] {
			t.Errorf("%s cannot be reached", st)
		}
	}
}

func TestWholeLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		intake := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vetter := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		handler := w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework")
		passage := w.Staff(t, "passage1", []auth.Role{auth.RolePassageCoordinator}, "passage")
		id := w.OpenCase(t, validCase())
		secretReason := "Reason-Canary-7731"

		steps := []struct {
			who  staff
			to   string
			team string
		}{
			{intake, casework.StateScreening, "intake"},
			{intake, casework.StateVetting, "vetting"},
			{vetter, casework.StateVerified, "casework"},
			{handler, casework.StateInPassage, "passage"},
			{passage, casework.StateArrived, "casework"},
			{handler, casework.StateSheltered, "casework"},
			{handler, casework.StateResettled, "casework"},
		}
		from := casework.StateContacted
		for _, st := range steps {
			err := w.CW.Transition(ctx, st.who.Actor, st.who.Ring, id, st.to, secretReason+" "+st.to)
			if casework.NeedsDecision(from, st.to) {
				// A verdict: refused alone, made by the decision path.
				if !errors.Is(err, casework.ErrNeedsDecision) {
					t.Fatalf("→ %s by a plain transition: %v", st.to, err)
				}
				err = w.CW.TransitionDecided(ctx, st.who.Actor, st.who.Ring, id, from, st.to, secretReason+" "+st.to, nil)
			}
			if err != nil {
				t.Fatalf("→ %s: %v", st.to, err)
			}
			from = st.to
			sum, err := w.CW.Summary(ctx, id)
			if err != nil || sum.State != st.to || sum.Team != st.team {
				t.Fatalf("after → %s: %+v %v", st.to, sum, err)
			}
			// The owning team's members read the case, the previous team's do not.
			if _, err := w.CW.Get(ctx, staffRing(w, st.team, intake, vetter, handler, passage), id); err != nil {
				t.Fatalf("team %s cannot read the case in %s: %v", st.team, st.to, err)
			}
		}
		if _, err := w.CW.Get(ctx, intake.Ring, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("intake still reads a resettled case: %v", err)
		}
		tl, err := w.CW.Timeline(ctx, handler.Ring, id)
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, e := range tl {
			if e.Kind == casework.EventTransition {
				moves = append(moves, e.To)
				if !strings.HasPrefix(e.Detail, secretReason) {
					t.Errorf("reason not kept: %q", e.Detail)
				}
			}
		}
		if len(moves) != len(steps) || tl[0].Kind != casework.EventCreated {
			t.Fatalf("timeline %v", tl)
		}
		if n := count(t, s, "SELECT count(*) FROM audit_entries WHERE action = 'case.transition' AND object = $1", "case:"+itoa(id)); n != len(steps) {
			t.Fatalf("%d transitions audited", n)
		}
		if n := count(t, s, "SELECT count(*) FROM audit_entries WHERE detail LIKE '%Canary%'"); n != 0 {
			t.Fatal("the reason reached the audit log")
		}
		if n := count(t, s, "SELECT count(*) FROM case_events WHERE CAST(sealed AS TEXT) LIKE '%Canary%'"); n != 0 {
			t.Fatal("the reason is stored in the clear")
		}
	})
}

func staffRing(w *world, team string, all ...staff) *keysRing {
	for _, s := range all {
		if s.Ring.Identity(w.Teams[team].ID) != nil {
			return s.Ring
		}
	}
	return nil
}

func TestIllegalAndForbiddenTransitions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		intake := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		handlerInIntake := w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "intake")
		outsider := w.Staff(t, "outsider", []auth.Role{auth.RoleIntakeOfficer}, "casework")
		id := w.OpenCase(t, validCase())

		err := w.CW.Transition(ctx, intake.Actor, intake.Ring, id, casework.StateResettled, "skip ahead")
		var te *casework.TransitionError
		if !errors.As(err, &te) || !errors.Is(err, casework.ErrIllegalTransition) || te.From != casework.StateContacted ||
			!slices.Equal(te.Allowed, casework.AllowedFrom(casework.StateContacted)) || len(te.Allowed) == 0 {
			t.Fatalf("illegal move: %v", err)
		}
		if err := w.CW.Transition(ctx, intake.Actor, intake.Ring, id, "nonsense", "x"); !errors.As(err, &te) {
			t.Fatalf("unknown state: %v", err)
		}
		if err := w.CW.Transition(ctx, handlerInIntake.Actor, handlerInIntake.Ring, id, casework.StateScreening, "x"); !errors.Is(err, casework.ErrForbidden) {
			t.Fatalf("handler moving an intake case: %v", err)
		}
		if err := w.CW.Transition(ctx, outsider.Actor, outsider.Ring, id, casework.StateScreening, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no wrap: %v", err)
		}
		var fe *casework.FieldError
		if err := w.CW.Transition(ctx, intake.Actor, intake.Ring, id, casework.StateScreening, ""); !errors.As(err, &fe) || fe.Field != "reason" {
			t.Fatalf("no reason: %v", err)
		}
		if err := w.CW.Transition(ctx, intake.Actor, intake.Ring, id, casework.StateScreening, strings.Repeat("x", 3000)); !errors.As(err, &fe) || fe.Field != "reason" {
			t.Fatalf("long reason: %v", err)
		}
		if err := w.CW.Transition(ctx, intake.Actor, intake.Ring, id, casework.StateScreening, "bad \xff"); !errors.As(err, &fe) {
			t.Fatalf("bad utf-8: %v", err)
		}
		sum, _ := w.CW.Summary(ctx, id)
		if sum.State != casework.StateContacted {
			t.Fatalf("state changed to %s by refused moves", sum.State)
		}
		if n := count(t, s, "SELECT count(*) FROM case_events WHERE case_id = $1", id); n != 1 {
			t.Fatalf("%d events after refused moves", n)
		}
	})
}

func TestAssignmentIsEnforcedByKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		intake := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		h1 := w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler})
		h2 := w.Staff(t, "handler2", []auth.Role{auth.RoleCaseHandler})
		id := w.OpenCase(t, validCase())
		for _, h := range []staff{h1, h2} {
			if _, err := w.CW.Get(ctx, h.Ring, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unassigned handler reads: %v", err)
			}
		}
		if err := w.CW.Assign(ctx, h2.Actor, h2.Ring, id, h1.P); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("assign without a wrap: %v", err)
		}
		if err := w.CW.Assign(ctx, intake.Actor, intake.Ring, id, w.Teams["vetting"]); !errors.Is(err, casework.ErrNotUser) {
			t.Fatalf("assign to a team: %v", err)
		}
		if err := w.CW.Assign(ctx, intake.Actor, intake.Ring, id, h1.P); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CW.Get(ctx, h1.Ring, id); err != nil {
			t.Fatalf("assigned handler cannot read: %v", err)
		}
		if _, err := w.CW.Get(ctx, h2.Ring, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("other handler reads: %v", err)
		}
		mine, _ := w.CW.Find(ctx, casework.Filter{Handler: h1.P.ID})
		if len(mine) != 1 || mine[0].ID != id || mine[0].Handler != h1.P.ID {
			t.Fatalf("my cases: %+v", mine)
		}
		// Reassign: h1's wrap goes, h2's comes.
		if err := w.CW.Assign(ctx, h1.Actor, h1.Ring, id, h2.P); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CW.Get(ctx, h1.Ring, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("previous handler still reads: %v", err)
		}
		if _, err := w.CW.Get(ctx, h2.Ring, id); err != nil {
			t.Fatal(err)
		}
		if err := w.CW.Unassign(ctx, intake.Actor, intake.Ring, id); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CW.Get(ctx, h2.Ring, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unassigned handler still reads: %v", err)
		}
		esc, _ := escrowID(w)
		if n := count(t, s, "SELECT count(*) FROM key_wraps WHERE object_kind = 'case' AND object_id = $1 AND principal_id = $2", itoa(id), esc); n != 1 {
			t.Fatal("escrow's wrap was removed")
		}
		if n := count(t, s, "SELECT count(*) FROM audit_entries WHERE action IN ('case.assign', 'case.unassign')"); n != 3 {
			t.Fatalf("%d assignment audit entries", n)
		}
	})
}

func TestSyntheticHistories(t *testing.T) {
	t.Parallel()
	contacted := time.Date(2021, 7, 3, 0, 0, 0, 0, time.UTC)
	today := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		state := casework.SyntheticState(i)
		steps := casework.SyntheticHistory(i, state, contacted, today)
		nc := validCase()
		nc.Day = contacted
		p, err := casework.Prepare(nc, testEscrow(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetHistory(steps); err != nil {
			t.Fatalf("case %d (%s): %v", i, state, err)
		}
		if state != casework.StateContacted && (len(steps) == 0 || steps[len(steps)-1].State != state) {
			t.Fatalf("case %d: history %v does not end in %s", i, steps, state)
		}
	}
	// A recent case's history stops at today.
	steps := casework.SyntheticHistory(7, casework.StateResettled, today.AddDate(0, 0, -3), today)
	if last := steps[len(steps)-1].Day; last != "2023-01-01" {
		t.Fatalf("history runs past today: %v", steps)
	}
	// Illegal moves and days that go backwards are refused.
	nc := validCase()
	nc.Day = contacted
	p, _ := casework.Prepare(nc, testEscrow(t))
	var te *casework.TransitionError
	if err := p.SetHistory([]casework.Step{{State: casework.StateVerified, Day: "2021-08-02"}}); !errors.As(err, &te) {
		t.Fatalf("contacted → verified: %v", err)
	}
	if err := p.SetHistory([]casework.Step{{State: casework.StateScreening, Day: "2000-01-01"}}); !errors.Is(err, casework.ErrInvalid) {
		t.Fatalf("a day before the contact: %v", err)
	}
}

func TestStageDays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		intake := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		// A case imported with its history carries each stage's length.
		p, err := casework.Prepare(casework.NewCase{Green: validCase().Green, Defector: validCase().Defector,
			Day: time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC)}, testEscrow(t), w.Teams["intake"])
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetHistory([]casework.Step{{State: casework.StateScreening, Day: "2021-08-04"}, {State: casework.StateVetting, Day: "2021-08-14"}}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := s.Tx(ctx, func(tx *sql.Tx) error { id, err = w.CW.Insert(ctx, tx, p); return err }); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		rows, err := s.DB().Query("SELECT from_state, stage_days FROM case_events WHERE case_id = $1 AND kind = 'transition'", id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var from string
			var d int
			if err := rows.Scan(&from, &d); err != nil {
				t.Fatal(err)
			}
			got[from] = d
		}
		rows.Close()
		if got["contacted"] != 3 || got["screening"] != 10 || len(got) != 2 {
			t.Fatalf("stage days %v", got)
		}
		if sum, _ := w.CW.Summary(ctx, id); sum.State != casework.StateVetting || sum.Team != "vetting" {
			t.Fatalf("imported case in %s/%s", sum.State, sum.Team)
		}
		// A live move records the days since the case entered the state.
		live := w.OpenCase(t, validCase())
		w.Move(t, live, []string{casework.StateScreening}, intake)
		var d sql.NullInt64
		if err := s.DB().QueryRow("SELECT stage_days FROM case_events WHERE case_id = $1 AND kind = 'transition'", live).Scan(&d); err != nil || !d.Valid || d.Int64 != 0 {
			t.Fatalf("live move stage days %v %v", d, err)
		}
	})
}

// TestDecisionMovesAreVerdicts: the moves only a decision path may make
// are in the table, are vetting's verdicts, and need vetting.decide.
func TestDecisionMovesAreVerdicts(t *testing.T) {
	t.Parallel()
	n := 0
	for _, from := range casework.States() {
		for _, m := range casework.Moves(from) {
			if !casework.NeedsDecision(from, m.To) {
				continue
			}
			n++
			if from != casework.StateVetting || m.Perm != auth.PermVettingDecide {
				t.Errorf("%s → %s needs a decision but is not a vetting verdict", from, m.To)
			}
		}
	}
	if n != 3 || casework.NeedsDecision(casework.StateVerified, casework.StateInPassage) {
		t.Fatalf("%d decision moves, want vetting's three verdicts", n)
	}
}
