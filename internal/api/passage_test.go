package api

import (
	"context"
	"encoding/json"
	"net/http"
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
)

// passageCase opens a case and moves it to in_passage with API members'
// keys; it returns the case id, its people and the coordinator's token.
func passageCase(t *testing.T, e *apiEnv) (int64, []string, string) {
	t.Helper()
	ctx := context.Background()
	toks := map[string]string{
		"intake": e.member(t, "intake-p", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake),
		"vet":    e.member(t, "vetter-p", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting),
		"hand":   e.member(t, "handler-p", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework),
		"coord":  e.member(t, "coord-p", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage),
	}
	sess := func(k string) *auth.Session {
		s, err := e.svc.Authenticate(ctx, toks[k], auth.KindAPI)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cw := casework.New(e.st)
	team, _ := keys.LookupPrincipal(ctx, e.st.DB(), keys.KindTeam, casework.TeamIntake)
	id, err := cw.OpenAs(ctx, casework.ActorOf(sess("intake")), caseworktest.Case(), team)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct{ who, to string }{{"intake", "screening"}, {"intake", "vetting"}, {"vet", "verified"}, {"hand", "in_passage"}} {
		s := sess(st.who)
		move := func() error { return cw.Transition(ctx, casework.ActorOf(s), s.Keyring(), id, st.to, "test") }
		if st.to == casework.StateVerified {
			// vetting's verdict, as its confirmation makes it
			move = func() error {
				return cw.TransitionDecided(ctx, casework.ActorOf(s), s.Keyring(), id, casework.StateVetting, st.to, "test", nil)
			}
		}
		if err := move(); err != nil {
			t.Fatal(err)
		}
	}
	c, err := cw.Get(ctx, sess("coord").Keyring(), id)
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	for _, p := range c.People {
		people = append(people, p.ID)
	}
	return id, people, toks["coord"]
}

func planBody(caseID int64, people []string, mut func(*passage.NewPlan)) string {
	day := time.Now().In(passage.Zone)
	w := func(h int) string { return day.Add(time.Duration(h) * time.Hour).Format(passage.TimeLayout) }
	p := passage.NewPlan{CaseID: caseID, Travellers: people, Legs: []passage.Leg{
		// The first leg's window ended two hours ago: it is overdue.
		{From: "Myawaddy", To: "Moei river", Start: w(-6), End: w(-2), Guide: "Ko Lin", Codeword: "API-Code-1"},
		{From: "Moei river", To: "Mae Sot", Start: w(-2), End: w(6), Guide: "Ma Hnin", Codeword: "API-Code-2"},
		{From: "Mae Sot", To: "safe house", Start: w(6), End: w(12), Guide: "U Tun", Notes: "API-Notes-3"},
	}}
	if mut != nil {
		mut(&p)
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func TestAPIPassage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		id, people, coord := passageCase(t, e)
		rec := e.do(t, "POST", "/api/v1/passage/plans", coord, planBody(id, people, nil))
		if rec.Code != http.StatusCreated {
			t.Fatalf("plan: %d %s", rec.Code, rec.Body.String())
		}
		created := decode[struct {
			ID   string
			Legs []struct{ ID, Link string }
		}](t, rec)
		if len(created.Legs) != 3 || !strings.HasPrefix(created.Legs[0].Link, "/g/") || len(created.Legs[0].Link) != 3+passage.LinkLen {
			t.Fatalf("created: %+v", created)
		}
		rec = e.do(t, "GET", "/api/v1/passage/plans/"+created.ID, coord, "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "API-Notes-3") {
			t.Fatalf("plan: %d %s", rec.Code, rec.Body.String())
		}
		rec = e.do(t, "GET", "/api/v1/passage/alerts", coord, "")
		al := decode[struct{ Alerts []passage.Alert }](t, rec)
		if rec.Code != 200 || len(al.Alerts) != 1 || al.Alerts[0].Kind != "overdue" || al.Alerts[0].LegID != created.Legs[0].ID {
			t.Fatalf("alerts: %d %s", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "Myawaddy") {
			t.Fatal("an alert carries amber data")
		}
		rec = e.do(t, "POST", "/api/v1/passage/legs/"+created.Legs[1].ID+"/link", coord, "")
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"/g/`) {
			t.Fatalf("new link: %d %s", rec.Code, rec.Body.String())
		}
		if rec := e.do(t, "DELETE", "/api/v1/passage/plans/nope", coord, ""); rec.Code != 404 {
			t.Fatalf("cancel unknown: %d", rec.Code)
		}
		rec = e.do(t, "GET", "/api/v1/passage/plans", coord, "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), created.ID) || strings.Contains(rec.Body.String(), "Mae Sot") {
			t.Fatalf("list: %d %s", rec.Code, rec.Body.String())
		}
		if rec := e.do(t, "DELETE", "/api/v1/passage/plans/"+created.ID, coord, ""); rec.Code != http.StatusNoContent {
			t.Fatalf("cancel: %d %s", rec.Code, rec.Body.String())
		}
		rec = e.do(t, "GET", "/api/v1/passage/plans/"+created.ID, coord, "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"outcome":"cancelled"`) || strings.Contains(rec.Body.String(), "API-Notes-3") {
			t.Fatalf("cancelled plan: %d %s", rec.Code, rec.Body.String())
		}
	})
}

func TestAPIPassageBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		id, people, coord := passageCase(t, e)
		cases := []struct {
			name, body string
			status     int
			field      string
		}{
			{"not json", "{", 400, ""},
			{"unknown field", `{"case_id":1,"where":"x"}`, 400, ""},
			{"no travellers", planBody(id, nil, nil), 400, "travellers"},
			{"foreign traveller", planBody(id, []string{"0123456789abcdef01234567"}, nil), 400, "travellers"},
			{"end before start", planBody(id, people, func(p *passage.NewPlan) { p.Legs[2].End = p.Legs[2].Start }), 400, "leg3.end"},
			{"no guide", planBody(id, people, func(p *passage.NewPlan) { p.Legs[1].Guide = "" }), 400, "leg2.guide"},
			{"unknown case", planBody(id+100, people, nil), 404, ""},
		}
		for _, tc := range cases {
			rec := e.do(t, "POST", "/api/v1/passage/plans", coord, tc.body)
			if rec.Code != tc.status {
				t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body.String())
				continue
			}
			b := decode[fieldErrorBody](t, rec)
			if b.Error.Code == "" || b.Error.Field != tc.field {
				t.Errorf("%s: %s", tc.name, rec.Body.String())
			}
			if strings.Contains(rec.Body.String(), "Myawaddy") || strings.Contains(rec.Body.String(), "API-Code") {
				t.Errorf("%s echoes amber data", tc.name)
			}
		}
		if rec := e.do(t, "POST", "/api/v1/passage/legs/nope/link", coord, ""); rec.Code != 404 {
			t.Errorf("unknown leg: %d", rec.Code)
		}
		// A case out of passage: 409.
		s, _ := e.svc.Authenticate(context.Background(), coord, auth.KindAPI)
		if err := casework.New(st).Transition(context.Background(), casework.ActorOf(s), s.Keyring(), id, casework.StateVerified, "back"); err != nil {
			t.Fatal(err)
		}
		if rec := e.do(t, "POST", "/api/v1/passage/plans", coord, planBody(id, people, nil)); rec.Code != 404 && rec.Code != 409 {
			t.Errorf("case out of passage: %d %s", rec.Code, rec.Body.String())
		}
		var n int
		st.DB().QueryRow("SELECT COUNT(*) FROM passage_plans").Scan(&n)
		if n != 0 {
			t.Errorf("%d plans after bad input", n)
		}
	})
}
