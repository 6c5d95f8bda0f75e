package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
)

// TestFinanceChromiumJourney drives headless Chromium with JavaScript off
// through a finance officer's month: sign in, open the payment run, pay a
// line with the recipient's code from its inline form, mark the other
// missed, reconcile. It skips when Chromium is not installed.
func TestFinanceChromiumJourney(t *testing.T) {
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
	vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
	handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: "fin-one", Password: webTestPassword,
		Roles: []auth.Role{auth.RoleFinanceOfficer}, Teams: []auth.Team{auth.TeamFinance}}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	fin := e.login(t, en, webTestPassword)
	var codes []string
	for range 2 {
		id := e.verifiedCaseWeb(t, intake, vetter, vetter2)
		r := e.post(t, "/finance/enrol/"+id, url.Values{"name": {"Chromium-Payee"}, "how_to_pay": {"cash"}, "amount": {"1,000"}, "currency": {"THB"}, "start": {"2025-06"}}, handler)
		m := enrolledRE.FindStringSubmatch(strings.ReplaceAll(r.Body.String(), "\n", " "))
		if m == nil {
			t.Fatalf("enrol: %d", r.Code)
		}
		codes = append(codes, m[2])
	}
	mustSee(t, e.post(t, "/finance/sources", url.Values{"label": {"Main fund"}, "budget": {"100,000"}, "currency": {"THB"}}, fin), "source")
	mustSee(t, e.post(t, "/finance/sources/F-1/deposits", url.Values{"amount": {"50,000"}, "currency": {"THB"}, "day": {"2025-06-01"}}, fin), "deposit")
	ts := httptest.NewServer(e.h)
	defer ts.Close()

	c := startChromium(t)

	// Sign in as the finance officer.
	c.signIn(ts.URL, "fin-one", e.code(t, en))

	// Prepare the run from its page.
	c.navigate(ts.URL + "/finance/runs?lang=en")
	c.click("form[action='/finance/runs'] button[type=submit]")
	c.waitLoad()
	if !strings.Contains(c.html(), "Run prepared.") {
		t.Fatalf("no run prepared:\n%s", c.html())
	}
	// Pay the first line with its recipient's code, typed into its form.
	lines := lineRE.FindAllStringSubmatch(c.html(), -1)
	if len(lines) != 6 {
		t.Fatalf("%d line forms, want 6", len(lines))
	}
	// Which payee holds which line is not known here: try the first code
	// on the first line, the second if it was refused.
	paid := false
	for _, code := range codes {
		c.typeInto("form[action='"+lines[0][1]+"'] input[name=code]", code)
		c.click("form[action='" + lines[0][1] + "'] button[type=submit]")
		c.waitLoad()
		if strings.Contains(c.html(), "Line marked.") {
			paid = true
			break
		}
		c.navigate(ts.URL + strings.Split(lines[0][1], "/lines/")[0] + "?lang=en")
	}
	if !paid {
		t.Fatalf("no line paid:\n%s", c.html())
	}
	// Mark the other missed (its second form), then reconcile.
	c.click("form[action='" + lines[3][1] + "']:nth-of-type(2) button")
	c.waitLoad()
	c.click("form[action$='/reconcile'] button")
	c.waitLoad()
	h := c.html()
	if !strings.Contains(h, "Run reconciled and closed.") || !strings.Contains(h, "Missed") || !strings.Contains(h, "(recipient's code)") {
		t.Fatalf("not reconciled:\n%s", h)
	}
}
