package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

var (
	personBoxRE = regexp.MustCompile(`name="person" value="([0-9a-f]{24})"`)
	assignRE    = regexp.MustCompile(`action="/shelters/stays/([0-9]+)/assign"`)
	houseLocRE  = regexp.MustCompile(`^/shelters/([0-9]+)\?done=created$`)
)

// shelterRows counts every row a refused shelter form must leave alone.
func (e *authEnv) shelterRows(t testing.TB) [4]int {
	return [4]int{
		e.count(t, "SELECT COUNT(*) FROM shelter_houses"), e.count(t, "SELECT COUNT(*) FROM shelter_stays WHERE status = 'staying'"),
		e.count(t, "SELECT COUNT(*) FROM shelter_stays"), e.count(t, "SELECT COALESCE(SUM(beds), 0) FROM shelter_houses"),
	}
}

// TestShelterWebFlow: with JavaScript-free forms, a coordinator adds
// houses, a handler asks for a place for a case (refused while it is in
// quarantine), a full house is refused with its free beds, a house with
// room is assigned, the handler reads its address and moves the case to
// sheltered, the dashboard counts the beds, and bad input changes nothing.
func TestShelterWebFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newAuthEnv(t, st, auth.Config{})
		coord := e.member(t, "shelter-one", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		passage := e.member(t, "passage-one", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
		e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})
		finance := e.member(t, "finance-one", []auth.Role{auth.RoleFinanceOfficer}, auth.TeamFinance)

		houses := map[string]string{}
		for _, h := range []url.Values{
			{"code": {"ms-1"}, "area": {"Mae Sot"}, "beds": {"၂"}, "address": {"Canary-Address-W1"}, "contact": {"Ko One"}, "phone": {"+66 1"}},
			{"code": {"MS-2"}, "area": {"Mae Sot"}, "beds": {"5"}, "address": {"Canary-Address-W2"}, "contact": {"Ko Two"}, "notes": {"blue gate"}},
		} {
			r := e.post(t, "/shelters", h, coord)
			m := houseLocRE.FindStringSubmatch(r.Header().Get("Location"))
			if r.Code != http.StatusSeeOther || m == nil {
				t.Fatalf("create house: %d %s", r.Code, r.Body.String())
			}
			houses[strings.ToUpper(h.Get("code"))] = m[1]
		}
		if r := e.get(t, "/shelters/"+houses["MS-2"]+"?lang=en", coord); r.Code != 200 || !strings.Contains(r.Body.String(), "Canary-Address-W2") || !strings.Contains(r.Body.String(), "blue gate") {
			t.Fatalf("house page: %d", r.Code)
		}

		base := e.openCaseFromContact(t, intake)
		id := strings.TrimPrefix(base, "/cases/")
		mustSee(t, e.post(t, base+"/assign", url.Values{"username": {"handler-one"}}, intake), "assign")
		for _, m := range []struct {
			who *http.Cookie
			to  string
		}{{intake, "screening"}, {intake, "vetting"}, {vetter, "verified"}, {handler, "in_passage"}, {passage, "arrived"}} {
			if m.to == "verified" {
				verifyByTwo(t, e, base, vetter, vetter2)
				continue
			}
			mustSee(t, e.post(t, base+"/transition", url.Values{"to": {m.to}, "reason": {"step"}}, m.who), "move to "+m.to)
		}
		page := e.get(t, "/shelters/cases/"+id+"?lang=en", handler)
		pm := personBoxRE.FindStringSubmatch(page.Body.String())
		if page.Code != 200 || pm == nil || strings.Contains(page.Body.String(), "Canary-Address") {
			t.Fatalf("case shelter page: %d", page.Code)
		}
		ask := url.Values{"person": {pm[1]}, "headcount": {"3"}}
		before := e.shelterRows(t)
		r := e.post(t, "/shelters/cases/"+id+"/request?lang=en", ask, handler)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "it is in quarantine until "+time.Now().UTC().AddDate(0, 0, vetting.DefaultQuarantineDays).Format("2006-01-02")) {
			t.Fatalf("quarantined: %d %s", r.Code, r.Body.String())
		}
		if e.shelterRows(t) != before {
			t.Fatal("a refused request changed rows")
		}
		if err := st.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, 0) }); err != nil {
			t.Fatal(err)
		}
		mustSee(t, e.post(t, "/shelters/cases/"+id+"/request", ask, handler), "request")
		reqs := e.get(t, "/shelters/requests?lang=en", coord)
		am := assignRE.FindStringSubmatch(reqs.Body.String())
		if reqs.Code != 200 || am == nil {
			t.Fatalf("requests page: %d", reqs.Code)
		}
		stay := am[1]
		before = e.shelterRows(t)
		r = e.post(t, "/shelters/stays/"+stay+"/assign?lang=en", url.Values{"house": {houses["MS-1"]}}, coord)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "Free beds in house MS-1: 2. This family needs: 3.") {
			t.Fatalf("full house: %d %s", r.Code, r.Body.String())
		}
		if e.shelterRows(t) != before {
			t.Fatal("a refused assignment changed rows")
		}
		r = e.post(t, "/shelters/stays/"+stay+"/assign", url.Values{"house": {houses["MS-1"]}}, coord)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "အိမ် MS-1 တွင် ခုတင် ၂ လုံးသာ လွတ်သည်") {
			t.Fatalf("full house in Burmese: %d", r.Code)
		}
		mustSee(t, e.post(t, "/shelters/stays/"+stay+"/assign", url.Values{"house": {houses["MS-2"]}}, coord), "assign house")
		page = e.get(t, "/shelters/cases/"+id+"?lang=en", handler)
		if !strings.Contains(page.Body.String(), "Canary-Address-W2") || !strings.Contains(page.Body.String(), "Move the case to") {
			t.Fatalf("the handler does not see the address: %s", page.Body.String())
		}
		mustSee(t, e.post(t, base+"/transition", url.Values{"to": {"sheltered"}, "reason": {"housed"}}, handler), "move to sheltered")
		dash := e.get(t, "/shelters?lang=en", coord).Body.String()
		if !regexp.MustCompile(`MS-2</a></td><td>Mae Sot</td><td class="n">5</td><td class="n">3</td><td class="n"><strong>2</strong>`).MatchString(dash) {
			t.Fatalf("dashboard: %s", dash)
		}
		if strings.Contains(dash, "Canary-Address") {
			t.Fatal("the dashboard shows an address")
		}
		if r := e.get(t, "/shelters/"+houses["MS-2"], coord); !strings.Contains(r.Body.String(), "Canary-Address-W2") {
			t.Fatal("the house page does not list its address")
		}

		// Bad input: refused, nothing changed.
		before = e.shelterRows(t)
		for _, tc := range []struct {
			path string
			form url.Values
			code int
		}{
			{"/shelters", url.Values{"code": {"MS-3"}, "area": {"Mae Sot"}, "beds": {"-1"}, "address": {"x"}}, 400},
			{"/shelters", url.Values{"code": {"MS-3"}, "area": {"Mae Sot"}, "beds": {"9999999"}, "address": {"x"}}, 400},
			{"/shelters", url.Values{"code": {"MS-3"}, "area": {"Mae Sot"}, "beds": {"501"}, "address": {"x"}}, 400},
			{"/shelters", url.Values{"code": {"MS-3"}, "area": {"Mae Sot"}, "beds": {""}, "address": {"x"}}, 400},
			{"/shelters", url.Values{"code": {"MS-2"}, "area": {"Mae Sot"}, "beds": {"3"}, "address": {"x"}}, 409},
			{"/shelters", url.Values{"code": {"<b>"}, "area": {"Mae Sot"}, "beds": {"3"}, "address": {"x"}}, 400},
			{"/shelters/" + houses["MS-2"] + "/beds", url.Values{"beds": {"2"}}, 409},
			{"/shelters/" + houses["MS-2"] + "/beds", url.Values{"beds": {"two"}}, 400},
			{"/shelters/99999/beds", url.Values{"beds": {"2"}}, 404},
			{"/shelters/" + houses["MS-2"] + "/needs", url.Values{"kind": {"weapons"}}, 400},
			{"/shelters/" + houses["MS-2"] + "/needs/99999/met", url.Values{}, 404},
			{"/shelters/stays/" + stay + "/assign", url.Values{"house": {houses["MS-1"]}}, 409},
			{"/shelters/stays/99999/assign", url.Values{"house": {houses["MS-1"]}}, 404},
			{"/shelters/stays/" + stay + "/assign", url.Values{"house": {"abc"}}, 400},
			{"/shelters/stays/99999/checkout", url.Values{}, 404},
		} {
			if r := e.post(t, tc.path, tc.form, coord); r.Code != tc.code {
				t.Errorf("POST %s %v: %d, want %d", tc.path, tc.form, r.Code, tc.code)
			}
		}
		for _, form := range []url.Values{{}, {"person": {"nobody"}}, {"person": {pm[1]}, "headcount": {"x"}}, {"person": {"0123456789abcdef01234567"}}, {"person": {pm[1]}}} {
			if r := e.post(t, "/shelters/cases/"+id+"/request", form, handler); r.Code != http.StatusBadRequest && r.Code != http.StatusConflict {
				t.Errorf("request %v: %d", form, r.Code)
			}
		}
		if e.shelterRows(t) != before {
			t.Fatal("bad input changed rows")
		}

		// Needs and check-out.
		mustSee(t, e.post(t, "/shelters/"+houses["MS-2"]+"/needs", url.Values{"kind": {"medicine"}, "note": {"Canary-Need-W"}}, coord), "need")
		if !strings.Contains(e.get(t, "/shelters?lang=en", coord).Body.String(), `<td class="n">1</td></tr>`) {
			t.Error("the open need is not counted")
		}
		mustSee(t, e.post(t, "/shelters/stays/"+stay+"/checkout", url.Values{"house": {houses["MS-2"]}}, coord), "checkout")
		if r := e.post(t, "/shelters/stays/"+stay+"/checkout", url.Values{}, coord); r.Code != http.StatusConflict {
			t.Fatalf("second checkout: %d", r.Code)
		}
		// Ask again, withdraw; ask again, the shelter team declines.
		withdrawRE := regexp.MustCompile(`action="(/shelters/cases/[0-9]+/stays/[0-9]+/withdraw)"`)
		mustSee(t, e.post(t, "/shelters/cases/"+id+"/request", ask, handler), "request again")
		wm := withdrawRE.FindStringSubmatch(e.get(t, "/shelters/cases/"+id, handler).Body.String())
		if wm == nil {
			t.Fatal("no withdraw button on the case's shelter page")
		}
		mustSee(t, e.post(t, wm[1], url.Values{}, handler), "withdraw")
		if r := e.post(t, wm[1], url.Values{}, handler); r.Code != http.StatusConflict {
			t.Fatalf("second withdrawal: %d", r.Code)
		}
		mustSee(t, e.post(t, "/shelters/cases/"+id+"/request", ask, handler), "request a third time")
		am = regexp.MustCompile(`action="(/shelters/stays/[0-9]+/decline)"`).FindStringSubmatch(e.get(t, "/shelters/requests", coord).Body.String())
		if am == nil {
			t.Fatal("no decline button on the requests page")
		}
		mustSee(t, e.post(t, am[1], url.Values{}, coord), "decline")
		if n := e.count(t, "SELECT COUNT(*) FROM shelter_stays WHERE status = 'withdrawn'"); n != 2 {
			t.Fatalf("%d requests withdrawn or declined", n)
		}

		// Finance never reaches a shelter page.
		for _, p := range []string{"/shelters", "/shelters/" + houses["MS-2"], "/shelters/requests", "/shelters/cases/" + id} {
			if r := e.get(t, p, finance); r.Code != http.StatusForbidden {
				t.Errorf("finance GET %s: %d", p, r.Code)
			}
		}
	})
}

func FuzzShelterForms(f *testing.F) {
	for _, s := range []string{"beds=4", "beds=%E1%81%81%E1%81%82", "beds=-1", "beds=99999999999", "beds=+3", "beds=%20%207%20",
		"code=ms-3&area=Mae+Sot&beds=4&address=x", "person=0123456789abcdef01234567&headcount=3", "person=x&person=y",
		"house=12", "house=0", "house=-1", "house=1e3", "headcount=%E1%81%89", "beds=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		if h, err := parseHouseForm(v); err == nil && (h.Beds < 0 || h.Beds > 999999) {
			t.Fatalf("beds %d from %q", h.Beds, q)
		}
		if n, err := parseBedsForm(v); err == nil && (n < 0 || n > 999999) {
			t.Fatalf("beds %d from %q", n, q)
		}
		if people, n, err := parseRequestForm(v); err == nil {
			if len(people) == 0 || n < 0 || n > 999999 {
				t.Fatalf("request %v %d from %q", people, n, q)
			}
		}
		if id, err := parseAssignForm(v); err == nil && id <= 0 {
			t.Fatalf("house %d from %q", id, q)
		}
	})
}

// TestShelterDashboardBudget: the dashboard of 300 houses stays under the
// staff page budget (60 KB gzip with the stylesheet) and its server time
// is logged (p95 over 100 requests; run with -v to print the figures).
func TestShelterDashboardBudget(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	coord := e.member(t, "shelter-one", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
	tx, err := st.Writer().Begin()
	if err != nil {
		t.Fatal(err)
	}
	for h := 1; h <= 300; h++ {
		if _, err := tx.Exec("INSERT INTO shelter_houses (ref, code, area, beds, created_day, sealed) VALUES ($1, $2, 'Mae Sot', 12, '2026-01-01', $3)",
			"ref"+strconv.Itoa(h), "MS-"+strconv.Itoa(h), []byte{1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"my", "en"} {
		n := casePageWeight(t, e, "/shelters?lang="+lang, coord)
		t.Logf("shelter dashboard (%s, 300 houses) with stylesheet: %d bytes gzip", lang, n)
		if n >= 60<<10 {
			t.Errorf("shelter dashboard (%s) weighs %d bytes gzip, budget 60 KB", lang, n)
		}
	}
	var lat []time.Duration
	for range 100 {
		t0 := time.Now()
		if r := e.get(t, "/shelters", coord); r.Code != 200 {
			t.Fatal(r.Code)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	t.Logf("shelter dashboard (300 houses): p50 %v, p95 %v", lat[50], lat[95])
}
