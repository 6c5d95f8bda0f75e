package vetting_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// pngHead is the start of a PNG file (enough for sniffing).
var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

type deployment struct {
	w              *caseworktest.World
	v              *vetting.Service
	in, off1, off2 caseworktest.Staff
	lead, handler  caseworktest.Staff
	// super is a lead holding every stage's team key (to reach cases in
	// any state).
	super caseworktest.Staff
}

func setup(t *testing.T, s *store.Store) deployment {
	t.Helper()
	w := caseworktest.New(t, s)
	v := vetting.New(s, w.CW)
	w.CW.SetScreener(v.Screen)
	return deployment{
		w: w, v: v,
		in:      w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake"),
		off1:    w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting"),
		off2:    w.Staff(t, "vetter2", []auth.Role{auth.RoleVettingOfficer}, "vetting"),
		lead:    w.Staff(t, "lead1", []auth.Role{auth.RoleVettingLead}, "vetting", "watchlist"),
		handler: w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework"),
		super:   w.Staff(t, "super1", []auth.Role{auth.RoleVettingLead}, "intake", "vetting", "casework"),
	}
}

// inVetting opens a case and moves it to vetting.
func (d deployment) inVetting(t *testing.T) int64 {
	t.Helper()
	id := d.w.OpenCase(t, caseworktest.Case())
	d.w.Move(t, id, []string{casework.StateScreening, casework.StateVetting}, d.in)
	return id
}

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoOfficerDecision(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		id := d.inVetting(t)

		// Checks and evidence.
		if err := d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "identity_document", vetting.ResultPassed, "NRC card seen, photo matches"); err != nil {
			t.Fatal(err)
		}
		if err := d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "interview", vetting.ResultUnclear, "story about unit vague"); err != nil {
			t.Fatal(err)
		}
		if err := d.v.RecordCheck(ctx, d.off2.Actor, d.off2.Ring, id, "interview", vetting.ResultPassed, "second interview fine"); err != nil {
			t.Fatal(err)
		}
		file := append(bytes.Clone(pngHead), bytes.Repeat([]byte{7}, 200<<10)...)
		eid, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "identity_document", bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		got, ctype, err := d.v.OpenEvidence(ctx, d.off2.Actor, d.off2.Ring, id, eid)
		if err != nil || ctype != "image/png" || !bytes.Equal(got, file) {
			t.Fatalf("evidence does not round-trip: %v %s %d", err, ctype, len(got))
		}
		if _, _, err := d.v.OpenEvidence(ctx, d.handler.Actor, d.handler.Ring, id, eid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a handler without the case key read evidence: %v", err)
		}
		v, err := d.v.Get(ctx, d.off2.Ring, id)
		if err != nil || !v.Open {
			t.Fatalf("vetting view: %v %+v", err, v)
		}
		if v.Checks[0].Kind != "identity_document" || v.Checks[0].Result != vetting.ResultPassed || v.Checks[0].Notes != "NRC card seen, photo matches" || len(v.Checks[0].Evidence) != 1 {
			t.Fatalf("check: %+v", v.Checks[0])
		}

		// One officer alone cannot decide.
		if err := d.w.CW.Transition(ctx, d.off1.Actor, d.off1.Ring, id, casework.StateVerified, "alone"); !errors.Is(err, casework.ErrNeedsDecision) {
			t.Fatalf("a plain transition verified a case: %v", err)
		}
		did, err := d.v.Propose(ctx, d.off1.Actor, d.off1.Ring, id, vetting.DecisionVerified, "low", "all checks passed")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.v.Propose(ctx, d.off2.Actor, d.off2.Ring, id, vetting.DecisionRejected, "high", "no"); !errors.Is(err, vetting.ErrPending) {
			t.Fatalf("a second open proposal: %v", err)
		}
		if err := d.v.Confirm(ctx, d.off1.Actor, d.off1.Ring, id, did); !errors.Is(err, vetting.ErrSameOfficer) {
			t.Fatalf("the proposer confirmed: %v", err)
		}
		if err := d.v.Confirm(ctx, d.handler.Actor, d.handler.Ring, id, did); !errors.Is(err, vetting.ErrForbidden) {
			t.Fatalf("a handler confirmed: %v", err)
		}
		if st := state(t, s, id); st != casework.StateVetting {
			t.Fatalf("a refused confirmation moved the case to %s", st)
		}
		if err := d.v.Confirm(ctx, d.off2.Actor, d.off2.Ring, id, did); err != nil {
			t.Fatal(err)
		}
		if st := state(t, s, id); st != casework.StateVerified {
			t.Fatalf("confirmed case in %s", st)
		}
		var q *vetting.QuarantineError
		if err := vetting.Cleared(ctx, s.DB(), id, time.Now()); !errors.As(err, &q) {
			t.Fatalf("a freshly verified case: %v", err)
		}
		v, err = d.v.Get(ctx, d.handler.Ring, id)
		if err != nil || !v.InQuarantine || v.QuarantineUntil != q.Until.Format(time.DateOnly) {
			t.Fatalf("quarantine on the vetting view: %v %+v", err, v)
		}
		if len(v.Decisions) != 1 || v.Decisions[0].Status != vetting.StatusConfirmed || v.Decisions[0].Confirmer != d.off2.Actor.Name || v.Decisions[0].Reason != "all checks passed" {
			t.Fatalf("decision: %+v", v.Decisions)
		}
		// Confirming twice, or deciding a case no longer in vetting: refused.
		if err := d.v.Confirm(ctx, d.off2.Actor, d.off2.Ring, id, did); !errors.Is(err, vetting.ErrClosed) {
			t.Fatalf("confirmed twice: %v", err)
		}
		if _, err := d.v.Propose(ctx, d.super.Actor, d.super.Ring, id, vetting.DecisionRejected, "high", "late"); !errors.Is(err, vetting.ErrNotInVetting) {
			t.Fatalf("proposed on a verified case: %v", err)
		}
		var actions []string
		rows, err := s.DB().Query("SELECT action FROM audit_entries WHERE action LIKE 'vetting.%' ORDER BY idx")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a string
			rows.Scan(&a)
			actions = append(actions, a)
		}
		rows.Close()
		want := "vetting.check vetting.check vetting.check vetting.evidence vetting.propose vetting.confirm"
		if strings.Join(actions, " ") != want {
			t.Fatalf("audit: %v", actions)
		}
	})
}

func state(t *testing.T, s *store.Store, id int64) string {
	t.Helper()
	var st string
	if err := s.DB().QueryRow("SELECT state FROM cases WHERE id = $1", id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		id := d.inVetting(t)
		notVetting := d.w.OpenCase(t, caseworktest.Case())
		tables := []string{"vetting_checks", "vetting_evidence", "vetting_decisions", "audit_entries"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, s, tb)
		}
		outsider := d.w.Staff(t, "vetter9", []auth.Role{auth.RoleVettingOfficer})
		big := io.MultiReader(bytes.NewReader(pngHead), io.LimitReader(zeros{}, vetting.MaxEvidence))
		cases := []struct {
			name string
			err  error
			run  func() error
		}{
			{"unknown kind", vetting.ErrInvalid, func() error {
				return d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "horoscope", vetting.ResultPassed, "")
			}},
			{"unknown result", vetting.ErrInvalid, func() error {
				return d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "interview", "maybe", "")
			}},
			{"notes too long", vetting.ErrInvalid, func() error {
				return d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "interview", vetting.ResultPassed, strings.Repeat("x", vetting.MaxNotes+1))
			}},
			{"check on a case not in vetting", vetting.ErrNotInVetting, func() error {
				return d.v.RecordCheck(ctx, d.super.Actor, d.super.Ring, notVetting, "interview", vetting.ResultPassed, "")
			}},
			{"check without the key", store.ErrNotFound, func() error {
				return d.v.RecordCheck(ctx, outsider.Actor, outsider.Ring, id, "interview", vetting.ResultPassed, "")
			}},
			{"evidence too large", vetting.ErrTooLarge, func() error {
				_, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "interview", big)
				return err
			}},
			{"evidence of a forbidden type", vetting.ErrFileType, func() error {
				_, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "interview", strings.NewReader("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"))
				return err
			}},
			{"evidence html", vetting.ErrFileType, func() error {
				_, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "interview", strings.NewReader("<html><script>alert(1)</script>"))
				return err
			}},
			{"empty evidence", vetting.ErrInvalid, func() error {
				_, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "interview", strings.NewReader(""))
				return err
			}},
			{"evidence on a case not in vetting", vetting.ErrNotInVetting, func() error {
				_, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, notVetting, "interview", bytes.NewReader(pngHead))
				return err
			}},
			{"unknown decision", vetting.ErrInvalid, func() error {
				_, err := d.v.Propose(ctx, d.off1.Actor, d.off1.Ring, id, "pardoned", "low", "x")
				return err
			}},
			{"unknown risk", vetting.ErrInvalid, func() error {
				_, err := d.v.Propose(ctx, d.off1.Actor, d.off1.Ring, id, vetting.DecisionVerified, "extreme", "x")
				return err
			}},
			{"no reason", vetting.ErrInvalid, func() error {
				_, err := d.v.Propose(ctx, d.off1.Actor, d.off1.Ring, id, vetting.DecisionVerified, "low", "  ")
				return err
			}},
			{"decide a case not in vetting", vetting.ErrNotInVetting, func() error {
				_, err := d.v.Propose(ctx, d.super.Actor, d.super.Ring, notVetting, vetting.DecisionVerified, "low", "x")
				return err
			}},
			{"confirm an unknown decision", store.ErrNotFound, func() error {
				return d.v.Confirm(ctx, d.off2.Actor, d.off2.Ring, id, 424242)
			}},
			{"quarantine out of range", vetting.ErrBadQuarantine, func() error {
				return d.v.SetQuarantine(ctx, casework.Actor{Name: "user:admin", Roles: []auth.Role{auth.RoleAdministrator}}, 400)
			}},
			{"quarantine without the right", vetting.ErrForbidden, func() error {
				return d.v.SetQuarantine(ctx, d.off1.Actor, 3)
			}},
		}
		for _, tc := range cases {
			if err := tc.run(); !errors.Is(err, tc.err) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
			}
		}
		for _, tb := range tables {
			if n := count(t, s, tb); n != before[tb] {
				t.Errorf("%s: %d rows after refused input, %d before", tb, n, before[tb])
			}
		}
		// A withdrawn proposal cannot be confirmed.
		did, err := d.v.Propose(ctx, d.off1.Actor, d.off1.Ring, id, vetting.DecisionRejected, "high", "doubts")
		if err != nil {
			t.Fatal(err)
		}
		if err := d.v.Withdraw(ctx, d.off1.Actor, d.off1.Ring, id, did); err != nil {
			t.Fatal(err)
		}
		if err := d.v.Confirm(ctx, d.off2.Actor, d.off2.Ring, id, did); !errors.Is(err, vetting.ErrClosed) {
			t.Fatalf("confirmed a withdrawn decision: %v", err)
		}
		if st := state(t, s, id); st != casework.StateVetting {
			t.Fatalf("case moved to %s", st)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestWatchListAlerts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		// Entered in Unicode.
		eid, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, vetting.Entry{NameMy: "ကျော်ဇော်ထွန်း", Aliases: "Ko Htun", Unit: "LIB 33", Notes: "reports to MI-6"})
		if err != nil {
			t.Fatal(err)
		}
		nrcEntry, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, vetting.Entry{NameLatin: "Than Htike", NRC: "9/MaHtaLa(N)654321"})
		if err != nil {
			t.Fatal(err)
		}
		// Only a lead holding the watch-list key may touch it.
		for _, st := range []caseworktest.Staff{d.off1, d.handler} {
			if _, err := d.v.Entries(ctx, st.Actor, st.Ring); !errors.Is(err, vetting.ErrForbidden) {
				t.Fatalf("%s read the watch list: %v", st.Actor.Name, err)
			}
			if _, err := d.v.Alerts(ctx, st.Actor, st.Ring, true); !errors.Is(err, vetting.ErrForbidden) {
				t.Fatalf("%s read alerts: %v", st.Actor.Name, err)
			}
		}
		keyless := d.w.Staff(t, "lead2", []auth.Role{auth.RoleVettingLead}, "vetting")
		if _, err := d.v.Alerts(ctx, keyless.Actor, keyless.Ring, true); !errors.Is(err, vetting.ErrNoWatchList) {
			t.Fatalf("a lead without the key read alerts: %v", err)
		}

		// A new contact typed in Zawgyi, opened by intake (no secret).
		nc := caseworktest.Case()
		nc.Defector = casework.Person{NameMy: "ေက်ာ္ေဇာ္ထြန္း"}
		zaw := d.w.OpenCase(t, nc)
		// A relative typed romanised, added by a case handler later.
		innocent := d.inVetting(t)
		pid, err := d.w.CW.AddPerson(ctx, d.off1.Actor, d.off1.Ring, innocent, casework.Person{Relation: "sibling", NameLatin: "Kyaw Zaw Tun"})
		if err != nil {
			t.Fatal(err)
		}
		// An exact NRC written differently.
		nrcCase := d.w.OpenCase(t, casework.NewCase{Green: caseworktest.Case().Green, Defector: casework.Person{NameLatin: "Zin Min", NRC: "၉/မထလ(နိုင်)၆၅၄၃၂၁"}})

		alerts, err := d.v.Alerts(ctx, d.lead.Actor, d.lead.Ring, false)
		if err != nil {
			t.Fatal(err)
		}
		type hit struct {
			c   int64
			e   int64
			how string
		}
		got := map[hit]bool{}
		for _, a := range alerts {
			got[hit{a.CaseID, a.EntryID, a.How}] = true
		}
		for _, want := range []hit{{zaw, eid, "name"}, {innocent, eid, "name"}} {
			if !got[want] {
				t.Errorf("missing alert %+v in %+v", want, alerts)
			}
		}
		var nrcHit bool
		for _, a := range alerts {
			if a.CaseID == nrcCase && a.EntryID == nrcEntry && a.How == "nrc" {
				nrcHit = true
			}
			if a.CaseID == innocent && a.PersonID != pid {
				t.Errorf("the defector of the innocent case was flagged: %+v", a)
			}
		}
		if !nrcHit {
			t.Errorf("no NRC alert in %+v", alerts)
		}
		if n := count(t, s, "vetting_screening"); n != 0 {
			t.Fatalf("%d screening records left after the sweep", n)
		}
		// Sweeping again raises nothing new; dismissing closes an alert.
		again, err := d.v.Alerts(ctx, d.lead.Actor, d.lead.Ring, false)
		if err != nil || len(again) != len(alerts) {
			t.Fatalf("second sweep: %v %d %d", err, len(again), len(alerts))
		}
		if err := d.v.DismissAlert(ctx, d.lead.Actor, d.lead.Ring, alerts[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := d.v.DismissAlert(ctx, d.lead.Actor, d.lead.Ring, alerts[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("dismissed twice: %v", err)
		}
		open, _ := d.v.Alerts(ctx, d.lead.Actor, d.lead.Ring, false)
		if len(open) != len(alerts)-1 {
			t.Fatalf("open alerts after dismissal: %d", len(open))
		}
		// Nothing of the alert shows on the case for a vetting officer.
		v, err := d.v.Get(ctx, d.off1.Ring, innocent)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Decisions) != 0 {
			t.Fatalf("view: %+v", v)
		}
		es, err := d.v.Entries(ctx, d.lead.Actor, d.lead.Ring)
		if err != nil || len(es) != 2 || es[0].NameMy != "ကျော်ဇော်ထွန်း" || es[0].Notes != "reports to MI-6" {
			t.Fatalf("entries: %v %d", err, len(es))
		}
		if err := d.v.RemoveEntry(ctx, d.lead.Actor, d.lead.Ring, eid); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "watchlist_index"); n != 1 {
			t.Fatalf("index rows after removal: %d", n)
		}
	})
}

func TestWatchListBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		for _, e := range []vetting.Entry{
			{},
			{Notes: "only notes"},
			{NameLatin: strings.Repeat("a", 501)},
			{NameLatin: "x", NRC: "not an nrc"},
			{NameLatin: "x", ServiceNumber: "1"},
			{NameLatin: "bad \xff utf8"},
		} {
			if _, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, e); !errors.Is(err, vetting.ErrInvalid) {
				t.Errorf("entry accepted: %v", err)
			}
		}
		if _, err := d.v.AddEntry(ctx, d.off1.Actor, d.off1.Ring, vetting.Entry{NameLatin: "x y"}); !errors.Is(err, vetting.ErrForbidden) {
			t.Errorf("an officer added an entry: %v", err)
		}
		if n := count(t, s, "watchlist"); n != 0 {
			t.Fatalf("%d entries stored from refused input", n)
		}
		if err := d.v.RemoveEntry(ctx, d.lead.Actor, d.lead.Ring, 99); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removed a missing entry: %v", err)
		}
	})
}

// TestWatchListMatchesRecorded: an entry added after a person was recorded
// (and swept) still finds them, through casework's duplicate indexes.
func TestWatchListMatchesRecorded(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		id := d.inVetting(t)
		if n, err := d.v.Sweep(ctx, d.lead.Actor, d.lead.Ring); err != nil || n != 0 {
			t.Fatalf("sweep of an empty watch list: %d %v", n, err)
		}
		byName, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, vetting.Entry{NameLatin: "Aung Myo Zaw"})
		if err != nil {
			t.Fatal(err)
		}
		byNRC, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, vetting.Entry{NameLatin: "Somebody Else", NRC: "12/OuKaMa(N)123456"})
		if err != nil {
			t.Fatal(err)
		}
		alerts, err := d.v.Alerts(ctx, d.lead.Actor, d.lead.Ring, true)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, a := range alerts {
			if a.CaseID == id {
				got[a.EntryID] = a.How
			}
		}
		if got[byName] != "name" || got[byNRC] != "nrc" {
			t.Fatalf("alerts for earlier people: %+v", alerts)
		}
	})
}

// TestChecklistChange: checks and evidence recorded under kinds since
// removed from the checklist stay on the case's view.
func TestChecklistChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		id := d.inVetting(t)
		for _, k := range []string{"identity_document", "service_record", "vouched"} {
			if err := d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, k, vetting.ResultPassed, "n-"+k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.v.AddEvidence(ctx, d.off1.Actor, d.off1.Ring, id, "interview", strings.NewReader("words")); err != nil {
			t.Fatal(err)
		}
		admin := casework.Actor{Name: "user:admin", Roles: []auth.Role{auth.RoleAdministrator}}
		if err := d.v.SetChecklistAs(ctx, admin, "Bad!"); !errors.Is(err, vetting.ErrInvalid) {
			t.Fatalf("bad checklist: %v", err)
		}
		if err := d.v.SetChecklistAs(ctx, admin, "border_story"); err != nil {
			t.Fatal(err)
		}
		v, err := d.v.Get(ctx, d.off1.Ring, id)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]vetting.Check{}
		for _, c := range v.Checks {
			got[c.Kind] = c
		}
		if len(v.Checks) != 5 || got["border_story"].Result != vetting.ResultPending || got["service_record"].Notes != "n-service_record" ||
			got["vouched"].Notes != "n-vouched" || len(got["interview"].Evidence) != 1 {
			t.Fatalf("view after a checklist change: %+v", v.Checks)
		}
		if err := d.v.RecordCheck(ctx, d.off1.Actor, d.off1.Ring, id, "vouched", vetting.ResultFailed, ""); !errors.Is(err, vetting.ErrInvalid) {
			t.Fatalf("a check off the checklist: %v", err)
		}
	})
}

// TestConcurrentSweeps: two leads sweeping at once raise each alert once.
func TestConcurrentSweeps(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := setup(t, s)
		lead2 := d.w.Staff(t, "lead2", []auth.Role{auth.RoleVettingLead}, "vetting", "watchlist")
		if _, err := d.v.AddEntry(ctx, d.lead.Actor, d.lead.Ring, vetting.Entry{NameLatin: "Kyaw Zaw Tun"}); err != nil {
			t.Fatal(err)
		}
		for range 6 {
			nc := caseworktest.Case()
			nc.Defector = casework.Person{NameMy: "ကျော်ဇော်ထွန်း"}
			d.w.OpenCase(t, nc)
		}
		errs := make(chan error, 2)
		for _, l := range []caseworktest.Staff{d.lead, lead2} {
			go func() { _, err := d.v.Sweep(ctx, l.Actor, l.Ring); errs <- err }()
		}
		for range 2 {
			if err := <-errs; err != nil && !errors.Is(err, store.ErrConflict) {
				t.Fatal(err)
			}
		}
		if _, err := d.v.Sweep(ctx, d.lead.Actor, d.lead.Ring); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "vetting_alerts"); n != 6 {
			t.Fatalf("%d alerts for 6 matching people", n)
		}
	})
}
