package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// verifyByTwo verifies case id in vetting: one officer proposes, another
// confirms.
func verifyByTwo(t *testing.T, e *apiEnv, id int64, first, second string) {
	t.Helper()
	base := "/api/v1/cases/" + itoa(id) + "/vetting"
	r := e.do(t, "POST", base+"/decisions", first, `{"decision":"verified","risk":"low","reason":"checks passed"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("propose: %d %s", r.Code, r.Body.String())
	}
	did := decode[struct{ ID int64 }](t, r).ID
	if r := e.do(t, "POST", base+"/decisions/"+itoa(did)+"/confirm", first, ""); r.Code != http.StatusForbidden || errorCode(t, r) != "same_officer" {
		t.Fatalf("the proposer confirmed: %d %s", r.Code, r.Body.String())
	}
	if r := e.do(t, "POST", base+"/decisions/"+itoa(did)+"/confirm", second, ""); r.Code != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", r.Code, r.Body.String())
	}
}

// pair creates two members of the same teams and signs them in so that
// both hold the team keys (the first member's sign-in grants the second's
// pending membership).
func (e *apiEnv) pair(t *testing.T, a, b string, roles []auth.Role, teams ...auth.Team) (string, string) {
	t.Helper()
	var ens []auth.Enrolment
	for _, n := range []string{a, b} {
		_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: n, Password: apiPassword, Roles: roles, Teams: teams}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		ens = append(ens, en)
	}
	first := e.token(t, ens[0])
	return first, e.token(t, ens[1])
}

// upload posts a raw evidence file.
func (e *apiEnv) upload(t *testing.T, path, token string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

func tableCount(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIVettingTwoOfficers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		intake := e.member(t, "intake-v", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		v1, v2 := e.pair(t, "vetter-a", "vetter-b", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		handler := e.member(t, "handler-v", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		lead := e.member(t, "lead-v", []auth.Role{auth.RoleVettingLead}, auth.TeamVetting, auth.TeamWatchList)
		admin := e.member(t, "admin-v", []auth.Role{auth.RoleAdministrator})

		// The watch list holds an informer, entered in Unicode.
		if r := e.do(t, "POST", "/api/v1/watchlist", lead, `{"name_my":"ကျော်ဇော်ထွန်း","unit":"LIB 33","notes":"MI contact"}`); r.Code != http.StatusCreated {
			t.Fatalf("watch-list add: %d %s", r.Code, r.Body.String())
		}
		for _, tok := range []string{v1, handler} {
			if r := e.do(t, "GET", "/api/v1/watchlist", tok, ""); r.Code != http.StatusForbidden {
				t.Fatalf("a non-lead read the watch list: %d", r.Code)
			}
			if r := e.do(t, "GET", "/api/v1/watchlist/alerts", tok, ""); r.Code != http.StatusForbidden {
				t.Fatalf("a non-lead read alerts: %d", r.Code)
			}
		}

		r := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body.String())
		}
		id := decode[caseJSON](t, r).ID
		base := "/api/v1/cases/" + itoa(id)
		// Deciding a case not in vetting: refused.
		if r := e.do(t, "POST", base+"/vetting/decisions", v1, `{"decision":"verified","risk":"low","reason":"x"}`); r.Code != http.StatusNotFound {
			t.Fatalf("decided a case vetting cannot open: %d %s", r.Code, r.Body.String())
		}
		for _, to := range []string{"screening", "vetting"} {
			if r := e.do(t, "POST", base+"/transitions", intake, `{"to":"`+to+`","reason":"next"}`); r.Code != http.StatusOK {
				t.Fatalf("→ %s: %d", to, r.Code)
			}
		}
		// A relative typed romanised, recorded by a vetting officer.
		if r := e.do(t, "POST", base+"/people", v1, `{"relation":"sibling","name_latin":"Kyaw Zaw Tun"}`); r.Code != http.StatusCreated && r.Code != http.StatusForbidden {
			t.Fatalf("add person: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "PUT", base+"/vetting/checks/identity_document", v1, `{"result":"passed","notes":"card seen"}`); r.Code != http.StatusNoContent {
			t.Fatalf("check: %d %s", r.Code, r.Body.String())
		}
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 1000)...)
		r = e.upload(t, base+"/vetting/evidence?kind=identity_document", v1, png)
		if r.Code != http.StatusCreated {
			t.Fatalf("evidence: %d %s", r.Code, r.Body.String())
		}
		eid := decode[struct{ ID int64 }](t, r).ID
		if r := e.do(t, "GET", base+"/vetting/evidence/"+itoa(eid), v2, ""); r.Code != 200 || !bytes.Equal(r.Body.Bytes(), png) || r.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("evidence download: %d %s", r.Code, r.Header().Get("Content-Type"))
		}
		verifyByTwo(t, e, id, v1, v2)
		vj := decode[vettingJSON](t, e.do(t, "GET", base+"/vetting", v1, ""))
		if vj.State != "verified" || !vj.InQuarantine || vj.QuarantineUntil == "" || len(vj.Decisions) != 1 || vj.Decisions[0].Status != "confirmed" || vj.Open {
			t.Fatalf("after the decision: %+v", vj)
		}
		for _, bad := range []string{`{"checks":[]}`, `{"checks":["Bad Kind"]}`, `{"checks":["a,b"]}`, `{"checks":"interview"}`} {
			if r := e.do(t, "PUT", "/api/v1/vetting/checklist", admin, bad); r.Code != http.StatusBadRequest {
				t.Fatalf("checklist %s: %d", bad, r.Code)
			}
		}
		if r := e.do(t, "PUT", "/api/v1/vetting/checklist", admin, `{"checks":["interview","vouched","border_story"]}`); r.Code != http.StatusNoContent {
			t.Fatalf("checklist: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "PUT", "/api/v1/vetting/quarantine", admin, `{"days":0}`); r.Code != http.StatusNoContent {
			t.Fatalf("quarantine: %d %s", r.Code, r.Body.String())
		}
		if vj := decode[vettingJSON](t, e.do(t, "GET", base+"/vetting", v1, "")); vj.InQuarantine {
			t.Fatalf("still in quarantine with 0 days: %+v", vj)
		}

		// A new contact whose name was typed in Zawgyi raises an alert that
		// only the lead sees.
		zaw := strings.Replace(newCaseBody, `"name_my":"အောင်မျိုးဇော်","name_latin":"Aung Myo Zaw","nrc":"12/OuKaMa(N)123456"`, `"name_my":"ေက်ာ္ေဇာ္ထြန္း"`, 1)
		r = e.do(t, "POST", "/api/v1/cases", intake, zaw)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body.String())
		}
		zid := decode[caseJSON](t, r).ID
		alerts := decode[struct{ Alerts []alertJSON }](t, e.do(t, "GET", "/api/v1/watchlist/alerts", lead, ""))
		found := false
		for _, a := range alerts.Alerts {
			if a.Case == zid && a.How == "name" {
				found = true
			}
		}
		if !found {
			t.Fatalf("no alert for the Zawgyi contact: %+v", alerts)
		}
		if strings.Contains(e.do(t, "GET", "/api/v1/cases/"+itoa(zid), intake, "").Body.String(), "alert") {
			t.Fatal("the case shows the alert to intake")
		}
	})
}

func TestAPIVettingBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		intake := e.member(t, "intake-w", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		v1 := e.member(t, "vetter-w", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		lead := e.member(t, "lead-w", []auth.Role{auth.RoleVettingLead}, auth.TeamVetting, auth.TeamWatchList)
		nokey := e.member(t, "lead-x", []auth.Role{auth.RoleVettingLead}, auth.TeamVetting)
		r := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		id := decode[caseJSON](t, r).ID
		base := "/api/v1/cases/" + itoa(id)
		for _, to := range []string{"screening", "vetting"} {
			e.do(t, "POST", base+"/transitions", intake, `{"to":"`+to+`","reason":"next"}`)
		}
		tables := []string{"vetting_checks", "vetting_evidence", "vetting_decisions", "watchlist"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = tableCount(t, st, tb)
		}
		cases := []struct {
			name, method, path, token, body string
			status                          int
			code                            string
		}{
			{"unknown check", "PUT", base + "/vetting/checks/astrology", v1, `{"result":"passed"}`, 400, "invalid"},
			{"bad result", "PUT", base + "/vetting/checks/interview", v1, `{"result":"great"}`, 400, "invalid"},
			{"unknown field", "PUT", base + "/vetting/checks/interview", v1, `{"result":"passed","score":5}`, 400, "bad_json"},
			{"bad decision", "POST", base + "/vetting/decisions", v1, `{"decision":"maybe","risk":"low","reason":"x"}`, 400, "invalid"},
			{"bad risk", "POST", base + "/vetting/decisions", v1, `{"decision":"verified","risk":"none","reason":"x"}`, 400, "invalid"},
			{"no reason", "POST", base + "/vetting/decisions", v1, `{"decision":"verified","risk":"low"}`, 400, "invalid"},
			{"confirm unknown", "POST", base + "/vetting/decisions/777/confirm", v1, ``, 404, "not_found"},
			{"confirm malformed", "POST", base + "/vetting/decisions/x/confirm", v1, ``, 404, "not_found"},
			{"empty entry", "POST", "/api/v1/watchlist", lead, `{}`, 400, "invalid"},
			{"bad nrc", "POST", "/api/v1/watchlist", lead, `{"name_latin":"A B","nrc":"12345"}`, 400, "invalid"},
			{"entry without the key", "POST", "/api/v1/watchlist", nokey, `{"name_latin":"A B"}`, 404, "no_key"},
			{"quarantine bad", "PUT", "/api/v1/vetting/quarantine", "", `{"days":-1}`, 401, ""},
		}
		for _, tc := range cases {
			r := e.do(t, tc.method, tc.path, tc.token, tc.body)
			if r.Code != tc.status || (tc.code != "" && errorCode(t, r) != tc.code) {
				t.Errorf("%s: %d %s", tc.name, r.Code, r.Body.String())
			}
		}
		uploads := []struct {
			name   string
			body   []byte
			status int
		}{
			{"too large", append([]byte("%PDF-1.4\n"), make([]byte, vetting.MaxEvidence)...), 413},
			{"executable", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), 415},
			{"html", []byte("<!DOCTYPE html><script>x</script>"), 415},
			{"empty", nil, 400},
		}
		for _, u := range uploads {
			if r := e.upload(t, base+"/vetting/evidence?kind=interview", v1, u.body); r.Code != u.status {
				t.Errorf("upload %s: %d %s", u.name, r.Code, r.Body.String())
			}
		}
		if r := e.upload(t, base+"/vetting/evidence?kind=nope", v1, []byte("plain text")); r.Code != 400 {
			t.Errorf("upload to an unknown check: %d", r.Code)
		}
		for _, tb := range tables {
			if n := tableCount(t, st, tb); n != before[tb] {
				t.Errorf("%s: %d rows after refused input, %d before", tb, n, before[tb])
			}
		}
	})
}

func FuzzVettingBodies(f *testing.F) {
	for _, s := range []string{`{"result":"passed","notes":"x"}`, `{"decision":"verified","risk":"low","reason":"r"}`,
		`{"name_my":"ကျော်","nrc":"12/OuKaMa(N)123456"}`, `{"days":3}`, `{`, `[]`, `{"notes":"\u0000"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&checkInput{}, &decisionInput{}, &entryJSON{}} {
			req := httptest.NewRequest("POST", "/", strings.NewReader(body))
			rec := httptest.NewRecorder()
			if decodeJSON(rec, req, v) {
				switch in := v.(type) {
				case *decisionInput:
					vetting.ParseDecision(in.Decision, in.Risk)
				case *entryJSON:
					vetting.ParseEntry(vetting.Entry{NameMy: in.NameMy, NameLatin: in.NameLatin, Aliases: in.Aliases, NRC: in.NRC, ServiceNumber: in.ServiceNumber, Notes: in.Notes})
				}
			} else if rec.Code < 400 {
				t.Fatalf("refused body answered %d", rec.Code)
			}
		}
	})
}
