package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// TestShelterChromium drives headless Chromium with JavaScript off through
// the shelter coordinator's work: sign in, add a house with the form, see
// the request a handler made, assign the house from the requests page, and
// read the house's residents and the dashboard's occupancy.
func TestShelterChromium(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	_, coordEn, err := e.svc.CreateAccount(ctx, auth.NewAccount{Username: "shelter-one", Password: webTestPassword,
		Roles: []auth.Role{auth.RoleShelterCoordinator}, Teams: []auth.Team{auth.TeamShelter}}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	// A verified case out of quarantine, and its handler's request.
	intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
	vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
	passage := e.member(t, "passage-one", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
	e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
	handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})
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
	if err := st.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, 0) }); err != nil {
		t.Fatal(err)
	}
	pm := personBoxRE.FindStringSubmatch(e.get(t, "/shelters/cases/"+id, handler).Body.String())
	if pm == nil {
		t.Fatal("no person to ask a place for")
	}
	mustSee(t, e.post(t, "/shelters/cases/"+id+"/request", url.Values{"person": {pm[1]}, "headcount": {"3"}}, handler), "request")

	ts := httptest.NewServer(e.h)
	defer ts.Close()
	c := startChromium(t)

	// Sign in.
	c.signIn(ts.URL, "shelter-one", e.code(t, coordEn))

	// Add a house with the dashboard's form.
	c.navigate(ts.URL + "/shelters?lang=my")
	if !strings.Contains(c.html(), "ဘေးကင်းရာအိမ်များ") {
		t.Fatalf("the dashboard in Burmese:\n%s", c.html())
	}
	c.navigate(ts.URL + "/shelters?lang=en")
	c.typeInto("#code", "MS-7")
	c.typeInto("#area", "Mae Sot")
	c.typeInto("#beds", "6")
	c.typeInto("#address", "Chromium-Address-7")
	c.typeInto("#contact", "Ko Seven")
	c.click("form[action='/shelters'] button[type=submit]")
	c.waitLoad()
	if page := c.html(); !strings.Contains(page, "Safe house MS-7") || !strings.Contains(page, "Chromium-Address-7") {
		t.Fatalf("the new house's page:\n%s", page)
	}

	// Assign it to the waiting request.
	c.navigate(ts.URL + "/shelters/requests?lang=en")
	if page := c.html(); !strings.Contains(page, "MS-7 · Mae Sot · 6 free") {
		t.Fatalf("the requests page does not offer the house:\n%s", page)
	}
	c.click("form[action^='/shelters/stays/'] button[type=submit]")
	c.waitLoad()
	page := c.html()
	if !strings.Contains(page, "The house was assigned") || !strings.Contains(page, "3 / 6") {
		t.Fatalf("the house after assignment:\n%s", page)
	}
	c.navigate(ts.URL + "/shelters?lang=en")
	if !strings.Contains(c.html(), `<td class="n">6</td><td class="n">3</td><td class="n"><strong>3</strong>`) {
		t.Fatalf("the dashboard after assignment:\n%s", c.html())
	}
	// The handler now reads the address.
	if !strings.Contains(e.get(t, "/shelters/cases/"+id, handler).Body.String(), "Chromium-Address-7") {
		t.Fatal("the handler does not see the assigned house's address")
	}
}
