package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func (e *apiEnv) member(t testing.TB, name string, roles []auth.Role, teams ...auth.Team) string {
	t.Helper()
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: name, Password: apiPassword, Roles: roles, Teams: teams}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return e.token(t, en)
}

func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return v
}

const newCaseBody = `{"service":"army","rank_band":"nco","region":"MMR010","contact_month":"2021-08","with_arms":true,
	"defector":{"name_my":"အောင်မျိုးဇော်","name_latin":"Aung Myo Zaw","nrc":"12/OuKaMa(N)123456","phone":"09123456789"},
	"family":[{"relation":"spouse","name_latin":"Daw Thida","still_inside":true,"risk":"high"}]}`

func TestAPICaseLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		passage := e.member(t, "passage-one", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
		e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})
		other := e.member(t, "handler-two", []auth.Role{auth.RoleCaseHandler})

		rec := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		c := decode[caseJSON](t, rec)
		base := "/api/v1/cases/" + itoa(c.ID)
		if c.State != "contacted" || len(c.People) != 2 || c.People[0].NameLatin != "Aung Myo Zaw" || len(c.Allowed) == 0 {
			t.Fatalf("created: %+v", c)
		}
		for _, tok := range []string{handler, other} {
			if r := e.do(t, "GET", base, tok, ""); r.Code != http.StatusNotFound {
				t.Fatalf("unassigned handler reads: %d", r.Code)
			}
		}
		if r := e.do(t, "GET", "/api/v1/cases/99999", intake, ""); r.Code != http.StatusNotFound {
			t.Fatalf("missing case: %d", r.Code)
		}
		if r := e.do(t, "PUT", base+"/assignment", intake, `{"username":"handler-one"}`); r.Code != http.StatusNoContent {
			t.Fatalf("assign: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "GET", base, handler, ""); r.Code != http.StatusOK || decode[caseJSON](t, r).Handler != "handler-one" {
			t.Fatalf("assigned handler: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "GET", base, other, ""); r.Code != http.StatusNotFound {
			t.Fatalf("other handler reads: %d", r.Code)
		}
		mine := decode[struct{ Cases []summaryJSON }](t, e.do(t, "GET", "/api/v1/cases?view=mine", handler, ""))
		if len(mine.Cases) != 1 || mine.Cases[0].ID != c.ID {
			t.Fatalf("my cases: %+v", mine)
		}

		// Illegal move: 409 with the allowed states; a role without the
		// move's permission: 403.
		r := e.do(t, "POST", base+"/transitions", intake, `{"to":"resettled","reason":"skip"}`)
		ill := decode[fieldErrorBody](t, r)
		if r.Code != http.StatusConflict || ill.Error.Code != "illegal_transition" || strings.Join(ill.Allowed, ",") != "screening,withdrawn,lost_contact" {
			t.Fatalf("illegal move: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", base+"/transitions", handler, `{"to":"screening","reason":"x"}`); r.Code != http.StatusForbidden {
			t.Fatalf("handler moving an intake case: %d", r.Code)
		}

		steps := []struct{ tok, to string }{
			{intake, "screening"}, {intake, "vetting"}, {vetter, "verified"}, {handler, "in_passage"},
			{passage, "arrived"}, {handler, "sheltered"}, {handler, "resettled"},
		}
		for _, s := range steps {
			if s.to == "verified" {
				// One officer alone cannot verify: a second confirms.
				if r := e.do(t, "POST", base+"/transitions", s.tok, `{"to":"verified","reason":"alone"}`); r.Code != http.StatusConflict || errorCode(t, r) != "needs_decision" {
					t.Fatalf("one officer verified: %d %s", r.Code, r.Body.String())
				}
				verifyByTwo(t, e, c.ID, vetter, vetter2)
				continue
			}
			r := e.do(t, "POST", base+"/transitions", s.tok, `{"to":"`+s.to+`","reason":"step to `+s.to+`"}`)
			if r.Code != http.StatusOK {
				t.Fatalf("→ %s: %d %s", s.to, r.Code, r.Body.String())
			}
		}
		// The vetting team's wrap went when the case left vetting; the
		// intake officer who opened it keeps their own.
		if r := e.do(t, "GET", base, vetter, ""); r.Code != http.StatusNotFound {
			t.Fatalf("vetting still reads a resettled case: %d", r.Code)
		}

		// Casework on the case.
		if r := e.do(t, "POST", base+"/notes", handler, `{"text":"met at the border"}`); r.Code != http.StatusCreated {
			t.Fatalf("note: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", base+"/tasks", handler, `{"text":"find a school","due":"2022-01-10"}`); r.Code != http.StatusCreated {
			t.Fatalf("task: %d %s", r.Code, r.Body.String())
		}
		tasks := decode[struct{ Tasks []taskJSON }](t, e.do(t, "GET", base+"/tasks", handler, ""))
		if len(tasks.Tasks) != 1 {
			t.Fatalf("tasks %+v", tasks)
		}
		if r := e.do(t, "PATCH", base+"/tasks/"+itoa(tasks.Tasks[0].ID), handler, `{"done":true}`); r.Code != http.StatusNoContent {
			t.Fatalf("task done: %d %s", r.Code, r.Body.String())
		}
		r = e.do(t, "POST", base+"/people", handler, `{"relation":"child","name_latin":"Su Su","phone":"+95 9 123 456 789"}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("add person: %d %s", r.Code, r.Body.String())
		}
		kid := decode[struct{ ID string }](t, r).ID
		if r := e.do(t, "POST", "/api/v1/people/"+kid+"/threats", handler, `{"kind":"arrest","day":"2021-10-01","details":"taken at night"}`); r.Code != http.StatusCreated {
			t.Fatalf("threat: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "PUT", "/api/v1/people/"+kid+"/photo", handler, "\x89PNG\r\n\x1a\n0000"); r.Code != http.StatusNoContent {
			t.Fatalf("photo: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "GET", "/api/v1/people/"+kid+"/photo", handler, ""); r.Code != http.StatusOK || r.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("get photo: %d", r.Code)
		}
		// The intake officer's session holds the index key (intake team)
		// and indexes the people added without it.
		dups := decode[struct{ Candidates []candidateJSON }](t, e.do(t, "GET", "/api/v1/people/"+kid+"/duplicates", intake, ""))
		if len(dups.Candidates) != 1 || dups.Candidates[0].PersonID != c.People[0].ID || dups.Candidates[0].Reasons[0] != "same phone" {
			t.Fatalf("duplicates: %+v", dups)
		}
		if r := e.do(t, "GET", "/api/v1/people/"+kid+"/duplicates", handler, ""); r.Code != http.StatusForbidden {
			t.Fatalf("duplicates without an index key: %d %s", r.Code, r.Body.String())
		}
		tl := decode[struct{ Events []eventJSON }](t, e.do(t, "GET", base+"/timeline", handler, ""))
		var moved []string
		for _, ev := range tl.Events {
			if ev.Kind == "transition" {
				moved = append(moved, ev.To)
			}
		}
		if len(moved) != len(steps) || tl.Events[0].Kind != "created" {
			t.Fatalf("timeline %+v", tl.Events)
		}
		got := decode[caseJSON](t, e.do(t, "GET", base, handler, ""))
		if got.State != "resettled" || len(got.People) != 3 || got.Dependants != 2 || len(got.Threats) != 1 || len(got.Allowed) != 0 {
			t.Fatalf("final case: %+v", got)
		}
		if r := e.do(t, "DELETE", base+"/assignment", handler, ""); r.Code != http.StatusNoContent {
			t.Fatalf("unassign: %d", r.Code)
		}
		if r := e.do(t, "GET", base, handler, ""); r.Code != http.StatusNotFound {
			t.Fatalf("unassigned handler reads: %d", r.Code)
		}
	})
}

func TestAPICaseBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, auth.TeamIntake)
		rec := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		c := decode[caseJSON](t, rec)
		base := "/api/v1/cases/" + itoa(c.ID)
		secret := "Canary-Field-Value"
		cases := []struct {
			method, path, body string
			status             int
			field              string
		}{
			{"POST", "/api/v1/cases", strings.Replace(newCaseBody, `"army"`, `"marines"`, 1), 400, "service"},
			{"POST", "/api/v1/cases", strings.Replace(newCaseBody, `"Aung Myo Zaw"`, `"`+secret+strings.Repeat("x", 600)+`"`, 1), 400, "name_latin"},
			{"POST", "/api/v1/cases", strings.Replace(newCaseBody, `"spouse"`, `"cousin"`, 1), 400, "family[0].relation"},
			{"POST", "/api/v1/cases", `{"service":"army","nope":1}`, 400, ""},
			{"POST", base + "/transitions", `{"to":"screening","reason":""}`, 400, "reason"},
			{"POST", base + "/notes", `{"text":"` + strings.Repeat("n", 10001) + `"}`, 400, "text"},
			{"POST", base + "/tasks", `{"text":"t","due":"soon"}`, 400, "due"},
			{"PUT", base + "/assignment", `{"username":"nobody-here"}`, 400, "username"},
			{"GET", "/api/v1/cases?state=flying", "", 400, "state"},
			{"GET", "/api/v1/cases?team=finance", "", 400, "team"},
			{"GET", "/api/v1/cases?limit=9999", "", 400, "limit"},
			{"GET", "/api/v1/cases/abc", "", 404, ""},
			{"GET", "/api/v1/people/abc", "", 404, ""},
			{"PUT", "/api/v1/people/" + c.People[0].ID + "/photo", secret, 400, "photo"},
			{"POST", "/api/v1/people/" + c.People[1].ID + "/threats", `{"kind":"bombing","day":"2021-01-01"}`, 400, "kind"},
			{"POST", "/api/v1/people/" + c.People[1].ID + "/merge", `{"into":"x"}`, 400, "into"},
		}
		for _, tc := range cases {
			r := e.do(t, tc.method, tc.path, intake, tc.body)
			if r.Code != tc.status {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.Code, r.Body.String(), tc.status)
				continue
			}
			if tc.field != "" {
				if b := decode[fieldErrorBody](t, r); b.Error.Field != tc.field || !strings.Contains(b.Error.Message, tc.field) {
					t.Errorf("%s %s: field %q message %q, want %q", tc.method, tc.path, b.Error.Field, b.Error.Message, tc.field)
				}
			}
			if strings.Contains(r.Body.String(), secret) {
				t.Errorf("%s %s: the response echoes the value", tc.method, tc.path)
			}
		}
		var n int
		st.DB().QueryRow("SELECT count(*) FROM cases").Scan(&n)
		if n != 1 {
			t.Fatalf("%d cases after bad input", n)
		}
		for _, q := range []string{"SELECT count(*) FROM case_notes", "SELECT count(*) FROM case_tasks", "SELECT count(*) FROM threat_events", "SELECT count(*) FROM person_photos"} {
			st.DB().QueryRow(q).Scan(&n)
			if n != 0 {
				t.Errorf("%s: %d after bad input", q, n)
			}
		}
	})
}

func itoa(n int64) string { return strconvFormat(n) }

// FuzzCaseBodies: no body sent to the case routes makes the server fail
// (5xx) or store a case from input it refused.
func FuzzCaseBodies(f *testing.F) {
	f.Add(newCaseBody, `{"to":"screening","reason":"r"}`)
	f.Add(`{"defector":{"name_my":"\xff"}}`, `{"to":5}`)
	f.Add(`[]`, `{"to":"resettled","reason":"x"}`)
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAPIEnv(f, st)
	tok := e.member(f, "fuzz-intake", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, auth.TeamIntake)
	f.Fuzz(func(t *testing.T, body, move string) {
		var before int
		st.DB().QueryRow("SELECT count(*) FROM cases").Scan(&before)
		r := e.do(t, "POST", "/api/v1/cases", tok, body)
		if r.Code >= 500 {
			t.Fatalf("create: %d %s", r.Code, r.Body.String())
		}
		var after int
		st.DB().QueryRow("SELECT count(*) FROM cases").Scan(&after)
		if (r.Code == http.StatusCreated) != (after == before+1) {
			t.Fatalf("status %d but %d → %d cases", r.Code, before, after)
		}
		if r := e.do(t, "POST", "/api/v1/cases/1/transitions", tok, move); r.Code >= 500 {
			t.Fatalf("transition: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/cases/1/people", tok, body); r.Code >= 500 {
			t.Fatalf("add person: %d %s", r.Code, r.Body.String())
		}
	})
}
