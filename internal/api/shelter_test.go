package api

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// TestAPIShelter: a handler asks for a place for a verified case; it is
// refused while unverified and in quarantine, a full house is refused with
// the house's free beds, and a house with room is assigned; the handler then
// reads the address, the dashboard counts the beds, and check-out frees them.
func TestAPIShelter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newAPIEnv(t, st)
		coord := e.member(t, "shelter-one", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		passage := e.member(t, "passage-one", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
		finance := e.member(t, "finance-one", []auth.Role{auth.RoleFinanceOfficer}, auth.TeamFinance)

		for _, h := range []string{
			`{"code":"MS-1","area":"Mae Sot","beds":1,"address":"1 Example Soi","contact":"Ko One","phone":"+66 1"}`,
			`{"code":"MS-2","area":"Mae Sot","beds":6,"address":"2 Example Soi","contact":"Ko Two","phone":"+66 2"}`,
		} {
			if r := e.do(t, "POST", "/api/v1/shelters", coord, h); r.Code != http.StatusCreated {
				t.Fatalf("create house: %d %s", r.Code, r.Body.String())
			}
		}
		houses := decode[struct{ Houses []occupancyJSON }](t, e.do(t, "GET", "/api/v1/shelters", coord, "")).Houses
		if len(houses) != 2 || houses[1].Code != "MS-2" || houses[1].Free != 6 {
			t.Fatalf("dashboard: %+v", houses)
		}
		small, big := itoa(houses[0].ID), itoa(houses[1].ID)

		rec := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		c := decode[caseJSON](t, rec)
		base := "/api/v1/cases/" + itoa(c.ID)
		move := func(tok, to string) {
			t.Helper()
			if r := e.do(t, "POST", base+"/transitions", tok, `{"to":"`+to+`","reason":"step"}`); r.Code != http.StatusOK {
				t.Fatalf("move to %s: %d %s", to, r.Code, r.Body.String())
			}
		}
		move(intake, "screening")
		if r := e.do(t, "PUT", base+"/assignment", intake, `{"username":"handler-one"}`); r.Code != http.StatusNoContent {
			t.Fatalf("assign handler: %d %s", r.Code, r.Body.String())
		}
		move(intake, "vetting")
		people := decode[caseJSON](t, e.do(t, "GET", base, handler, "")).People
		ask := `{"case_id":` + itoa(c.ID) + `,"people":["` + people[0].ID + `","` + people[1].ID + `"]}`
		r := e.do(t, "POST", "/api/v1/shelters/requests", handler, ask)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), `"not_verified"`) {
			t.Fatalf("unverified: %d %s", r.Code, r.Body.String())
		}
		verifyByTwo(t, e, c.ID, vetter, vetter2)
		move(handler, "in_passage")
		move(passage, "arrived")
		r = e.do(t, "POST", "/api/v1/shelters/requests", handler, ask)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), `"quarantine"`) || !strings.Contains(r.Body.String(), "in quarantine until 20") {
			t.Fatalf("quarantine: %d %s", r.Code, r.Body.String())
		}
		if err := st.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, 0) }); err != nil {
			t.Fatal(err)
		}
		r = e.do(t, "POST", "/api/v1/shelters/requests", handler, ask)
		if r.Code != http.StatusCreated {
			t.Fatalf("request: %d %s", r.Code, r.Body.String())
		}
		stay := itoa(decode[struct{ ID int64 }](t, r).ID)
		reqs := decode[struct{ Requests []stayJSON }](t, e.do(t, "GET", "/api/v1/shelters/requests", coord, "")).Requests
		if len(reqs) != 1 || len(reqs[0].Residents) != 2 || reqs[0].Residents[0].NameLatin != "Aung Myo Zaw" {
			t.Fatalf("requests: %+v", reqs)
		}
		r = e.do(t, "POST", "/api/v1/shelters/stays/"+stay+"/assignment", coord, `{"house_id":`+small+`}`)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "House MS-1 has 1 free bed; this family needs 2.") {
			t.Fatalf("full house: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/shelters/stays/"+stay+"/assignment", finance, `{"house_id":`+big+`}`); r.Code != http.StatusForbidden {
			t.Fatalf("finance assigns: %d", r.Code)
		}
		if r := e.do(t, "POST", "/api/v1/shelters/stays/"+stay+"/assignment", coord, `{"house_id":`+big+`}`); r.Code != http.StatusNoContent {
			t.Fatalf("assign: %d %s", r.Code, r.Body.String())
		}
		stays := decode[struct{ Stays []stayJSON }](t, e.do(t, "GET", "/api/v1/shelters/cases/"+itoa(c.ID), handler, "")).Stays
		if len(stays) != 1 || stays[0].House == nil || stays[0].House.Address != "2 Example Soi" || stays[0].Status != "staying" {
			t.Fatalf("case's stays: %+v", stays)
		}
		move(handler, "sheltered")
		houses = decode[struct{ Houses []occupancyJSON }](t, e.do(t, "GET", "/api/v1/shelters", coord, "")).Houses
		if houses[1].Used != 2 || houses[1].Free != 4 {
			t.Fatalf("occupancy: %+v", houses[1])
		}
		if r := e.do(t, "GET", "/api/v1/shelters/"+big, coord, ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "Aung Myo Zaw") {
			t.Fatalf("house: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "PUT", "/api/v1/shelters/"+big+"/beds", coord, `{"beds":1}`); r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), `"occupied"`) {
			t.Fatalf("beds below occupancy: %d %s", r.Code, r.Body.String())
		}
		r = e.do(t, "POST", "/api/v1/shelters/"+big+"/needs", coord, `{"kind":"food","note":"rice"}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("need: %d %s", r.Code, r.Body.String())
		}
		need := itoa(decode[struct{ ID int64 }](t, r).ID)
		if r := e.do(t, "POST", "/api/v1/shelters/"+big+"/needs/"+need+"/met", coord, ""); r.Code != http.StatusNoContent {
			t.Fatalf("need met: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/shelters/stays/"+stay+"/checkout", coord, ""); r.Code != http.StatusNoContent {
			t.Fatalf("checkout: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/shelters/stays/"+stay+"/checkout", coord, ""); r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "not_staying") {
			t.Fatalf("second checkout: %d %s", r.Code, r.Body.String())
		}
		// Finance learns no location.
		for _, p := range []string{"/api/v1/shelters", "/api/v1/shelters/" + big, "/api/v1/shelters/cases/" + itoa(c.ID)} {
			if r := e.do(t, "GET", p, finance, ""); r.Code != http.StatusForbidden {
				t.Errorf("finance GET %s: %d", p, r.Code)
			}
		}
	})
}

// TestAPIShelterBadInput: each bad request is refused with the right
// status and changes no row.
func TestAPIShelterBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		coord := e.member(t, "shelter-one", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		if r := e.do(t, "POST", "/api/v1/shelters", coord, `{"code":"MS-1","area":"Mae Sot","beds":2,"address":"1 Example Soi"}`); r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body.String())
		}
		rows := func() int {
			var n int
			if err := st.DB().QueryRow("SELECT (SELECT COUNT(*) FROM shelter_houses) + (SELECT COUNT(*) FROM shelter_stays) + (SELECT COUNT(*) FROM shelter_needs) + (SELECT SUM(beds) FROM shelter_houses)").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := rows()
		for _, tc := range []struct {
			method, path, tok, body string
			status                  int
			code                    string
		}{
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-2","area":"Mae Sot","beds":-1,"address":"x"}`, 400, "invalid"},
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-2","area":"Mae Sot","beds":100000,"address":"x"}`, 400, "invalid"},
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-2","area":"Mae Sot","beds":1e99,"address":"x"}`, 400, "bad_json"},
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-1","area":"Mae Sot","beds":2,"address":"x"}`, 409, "conflict"},
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-2","area":"Mae Sot","beds":2}`, 400, "invalid"},
			{"POST", "/api/v1/shelters", coord, `{"code":"MS-2","extra":1}`, 400, "bad_json"},
			{"PUT", "/api/v1/shelters/1/beds", coord, `{"beds":-5}`, 400, "invalid"},
			{"PUT", "/api/v1/shelters/1/beds", coord, `{}`, 400, "invalid"},
			{"PUT", "/api/v1/shelters/99999/beds", coord, `{"beds":5}`, 404, "not_found"},
			{"GET", "/api/v1/shelters/abc", coord, ``, 404, "not_found"},
			{"POST", "/api/v1/shelters/1/needs", coord, `{"kind":"weapons"}`, 400, "invalid"},
			{"POST", "/api/v1/shelters/99999/needs", coord, `{"kind":"food"}`, 404, "not_found"},
			{"POST", "/api/v1/shelters/1/needs/99999/met", coord, ``, 404, "not_found"},
			{"POST", "/api/v1/shelters/stays/99999/assignment", coord, `{"house_id":1}`, 404, "not_found"},
			{"POST", "/api/v1/shelters/stays/1/assignment", coord, `{}`, 400, "invalid"},
			{"POST", "/api/v1/shelters/stays/99999/checkout", coord, ``, 404, "not_found"},
			{"POST", "/api/v1/shelters/requests", handler, `{"case_id":99999,"people":["0123456789abcdef01234567"]}`, 404, "not_found"},
			{"POST", "/api/v1/shelters/requests", handler, `{"case_id":1,"people":[]}`, 400, "invalid"},
			{"POST", "/api/v1/shelters/requests", handler, `{"people":["x"]}`, 400, "invalid"},
			{"GET", "/api/v1/shelters/cases/99999", handler, ``, 404, "not_found"},
		} {
			r := e.do(t, tc.method, tc.path, tc.tok, tc.body)
			if r.Code != tc.status || !strings.Contains(r.Body.String(), `"code":"`+tc.code+`"`) {
				t.Errorf("%s %s %s: %d %s, want %d %s", tc.method, tc.path, tc.body, r.Code, r.Body.String(), tc.status, tc.code)
			}
		}
		if rows() != before {
			t.Fatal("a refused request changed rows")
		}
	})
}

// FuzzShelterAPIBodies posts arbitrary bodies to the shelter routes that
// take JSON: never a server error, and a refusal stores nothing.
func FuzzShelterAPIBodies(f *testing.F) {
	for _, s := range []string{`{"code":"MS-1","area":"Mae Sot","beds":3,"address":"x"}`, `{"beds":-1}`, `{"beds":1e400}`, `{"house_id":1}`,
		`{"case_id":1,"people":["0123456789abcdef01234567"],"headcount":2}`, `{"kind":"food","note":"\u0000"}`, `[]`, `{`, `{"code":"` + strings.Repeat("A", 100) + `"}`} {
		f.Add(s)
	}
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAPIEnv(f, st)
	coord := e.member(f, "shelter-one", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
	handler := e.member(f, "handler-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
	if r := e.do(f, "POST", "/api/v1/shelters", coord, `{"code":"MS-0","area":"Mae Sot","beds":3,"address":"x"}`); r.Code != http.StatusCreated {
		f.Fatalf("create: %d", r.Code)
	}
	rows := func(t *testing.T) int {
		var n int
		if err := st.DB().QueryRow("SELECT (SELECT COUNT(*) FROM shelter_houses) + (SELECT COUNT(*) FROM shelter_stays) + (SELECT COUNT(*) FROM shelter_needs) + (SELECT SUM(beds) FROM shelter_houses)").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range []struct{ method, path, tok string }{
			{"POST", "/api/v1/shelters", coord}, {"PUT", "/api/v1/shelters/1/beds", coord}, {"PUT", "/api/v1/shelters/1/details", coord},
			{"POST", "/api/v1/shelters/1/needs", coord}, {"POST", "/api/v1/shelters/requests", handler}, {"POST", "/api/v1/shelters/stays/1/assignment", coord},
		} {
			before := rows(t)
			r := e.do(t, rt.method, rt.path, rt.tok, body)
			if r.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", rt.method, rt.path, body, r.Code, r.Body.String())
			}
			if r.Code >= 400 && rows(t) != before {
				t.Fatalf("%s %s %q refused with %d but changed rows", rt.method, rt.path, body, r.Code)
			}
		}
	})
}
