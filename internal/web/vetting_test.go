package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

var (
	confirmRE  = regexp.MustCompile(`/vetting/decisions/([0-9]+)/confirm`)
	evidenceRE = regexp.MustCompile(`/vetting/evidence/([0-9]+)"`)
)

// pair creates two members of the same teams and signs them in so that both
// hold the team keys (the first one's sign-in grants the second's pending
// membership).
func (e *authEnv) pair(t testing.TB, a, b string, roles []auth.Role, teams ...auth.Team) (*http.Cookie, *http.Cookie) {
	t.Helper()
	var ens []auth.Enrolment
	for _, n := range []string{a, b} {
		_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: n, Password: webTestPassword, Roles: roles, Teams: teams}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		ens = append(ens, en)
	}
	first := e.login(t, ens[0], webTestPassword)
	return first, e.login(t, ens[1], webTestPassword)
}

// uploadEvidence posts a multipart evidence form: kind, then the file.
func (e *authEnv) uploadEvidence(t testing.TB, path, kind string, file []byte, c *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", "scan")
	fw.Write(file)
	w.Close()
	req := httptest.NewRequest("POST", "https://embrace.test"+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// verifyByTwo verifies the case at base (in vetting) through the vetting
// page: first proposes, first's own confirmation is refused, second
// confirms.
func verifyByTwo(t *testing.T, e *authEnv, base string, first, second *http.Cookie) {
	t.Helper()
	mustSee(t, e.post(t, base+"/vetting/decisions", url.Values{"decision": {"verified"}, "risk": {"low"}, "reason": {"Reason-Verify"}}, first), "propose")
	page := e.get(t, base+"/vetting/?lang=en", first).Body.String()
	if confirmRE.MatchString(page) || !strings.Contains(page, "Waiting for a second officer") {
		t.Fatal("the proposer is offered the confirmation")
	}
	m := confirmRE.FindStringSubmatch(e.get(t, base+"/vetting/", second).Body.String())
	if m == nil {
		t.Fatal("the second officer is offered no confirmation")
	}
	if r := e.post(t, base+"/vetting/decisions/"+m[1]+"/confirm", url.Values{}, first); r.Code != http.StatusForbidden {
		t.Fatalf("the proposer confirmed: %d", r.Code)
	}
	mustSee(t, e.post(t, base+"/vetting/decisions/"+m[1]+"/confirm", url.Values{}, second), "confirm")
}

// TestVettingWeb takes a case through vetting with two officers in the
// pages: checks, evidence (refused when too large or of a forbidden type,
// nothing stored), a proposal its author cannot confirm, a second
// officer's confirmation, the quarantine notice; and a watch-list name
// typed romanised on a new relative raises an alert only a lead sees.
func TestVettingWeb(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		v1, v2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		lead := e.member(t, "lead-one", []auth.Role{auth.RoleVettingLead}, auth.TeamWatchList)
		e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})

		mustSee(t, e.post(t, "/watchlist", url.Values{"name_my": {"ကျော်ဇော်ထွန်း"}, "unit": {"Unit-Watch-4471"}, "notes": {"Notes-Watch-4472"}}, lead), "watch-list add")
		if r := e.get(t, "/watchlist?lang=en", lead); r.Code != 200 || !strings.Contains(r.Body.String(), "Unit-Watch-4471") {
			t.Fatalf("watch list: %d", r.Code)
		}
		for _, c := range []*http.Cookie{v1, handler, intake} {
			for _, p := range []string{"/watchlist", "/watchlist/alerts"} {
				if r := e.get(t, p, c); r.Code != http.StatusForbidden {
					t.Fatalf("%s for a non-lead: %d", p, r.Code)
				}
			}
		}

		base := e.openCaseFromContact(t, intake)
		// A relative typed romanised matches the watch-list name.
		mustSee(t, e.post(t, base+"/assign", url.Values{"username": {"handler-one"}}, intake), "assign")
		if r := e.post(t, base+"/people", url.Values{"relation": {"sibling"}, "name_latin": {"Kyaw Zaw Tun"}}, handler); r.Code != http.StatusSeeOther {
			t.Fatalf("add relative: %d %s", r.Code, r.Body.String())
		}
		// And one typed in Zawgyi.
		if r := e.post(t, base+"/people", url.Values{"relation": {"parent"}, "name_my": {"ေက်ာ္ေဇာ္ထြန္း"}}, handler); r.Code != http.StatusSeeOther {
			t.Fatalf("add relative: %d %s", r.Code, r.Body.String())
		}
		for _, to := range []string{"screening", "vetting"} {
			mustSee(t, e.post(t, base+"/transition", url.Values{"to": {to}, "reason": {"next"}}, intake), "move "+to)
		}
		if r := e.get(t, base+"?lang=en", v1); r.Code != 200 || !strings.Contains(r.Body.String(), `href="`+base+`/vetting/"`) {
			t.Fatalf("case page has no vetting link: %d", r.Code)
		}
		page := e.get(t, base+"/vetting/?lang=en", v1)
		if page.Code != 200 || !strings.Contains(page.Body.String(), "Identity document seen") || strings.Contains(page.Body.String(), "<script") {
			t.Fatalf("vetting page: %d", page.Code)
		}
		if n := casePageWeight(t, e, base+"/vetting/", v1); n >= 60<<10 {
			t.Fatalf("vetting page weighs %d bytes gzip", n)
		} else {
			t.Logf("vetting page: %d bytes gzip (HTML and CSS)", n)
		}
		mustSee(t, e.post(t, base+"/vetting/checks", url.Values{"kind": {"interview"}, "result": {"passed"}, "notes": {"Note-Vet-5531"}}, v1), "check")
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{9}, 300<<10)...)
		mustSee(t, e.uploadEvidence(t, base+"/vetting/evidence", "identity_document", png, v1), "evidence")
		page = e.get(t, base+"/vetting/?lang=en", v2)
		m := evidenceRE.FindStringSubmatch(page.Body.String())
		if m == nil || !strings.Contains(page.Body.String(), "Note-Vet-5531") {
			t.Fatal("the second officer does not see the check and evidence")
		}
		if r := e.get(t, base+"/vetting/evidence/"+m[1], v2); r.Code != 200 || !bytes.Equal(r.Body.Bytes(), png) {
			t.Fatalf("evidence download: %d", r.Code)
		}

		// Refused uploads store nothing.
		before := e.count(t, "SELECT count(*) FROM vetting_evidence")
		bad := []struct {
			name, kind string
			file       []byte
			status     int
		}{
			{"too large", "interview", append([]byte("%PDF-1.4\n"), make([]byte, vetting.MaxEvidence)...), http.StatusRequestEntityTooLarge},
			{"executable", "interview", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), http.StatusUnsupportedMediaType},
			{"html", "interview", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
			{"unknown check", "palmistry", []byte("plain words"), http.StatusBadRequest},
		}
		for _, b := range bad {
			if r := e.uploadEvidence(t, base+"/vetting/evidence", b.kind, b.file, v1); r.Code != b.status {
				t.Errorf("upload %s: %d, want %d", b.name, r.Code, b.status)
			}
		}
		if r := e.post(t, base+"/vetting/evidence", url.Values{"kind": {"interview"}}, v1); r.Code != http.StatusBadRequest {
			t.Errorf("evidence without a file: %d", r.Code)
		}
		if n := e.count(t, "SELECT count(*) FROM vetting_evidence"); n != before {
			t.Fatalf("%d evidence rows after refused uploads, %d before", n, before)
		}
		for _, f := range []url.Values{{"decision": {"pardon"}, "risk": {"low"}, "reason": {"x"}}, {"decision": {"verified"}, "risk": {"low"}}} {
			if r := e.post(t, base+"/vetting/decisions", f, v1); r.Code != http.StatusBadRequest {
				t.Errorf("bad proposal: %d", r.Code)
			}
		}
		if n := e.count(t, "SELECT count(*) FROM vetting_decisions"); n != 0 {
			t.Fatalf("%d decisions from refused proposals", n)
		}
		// One officer cannot move the case alone.
		if r := e.post(t, base+"/transition", url.Values{"to": {"verified"}, "reason": {"alone"}}, v1); r.Code != http.StatusConflict {
			t.Fatalf("one officer verified through the case page: %d", r.Code)
		}

		id := strings.TrimPrefix(base, "/cases/")
		alerts := e.get(t, "/watchlist/alerts?lang=en", lead).Body.String()
		if !strings.Contains(alerts, `href="/cases/`+id+`"`) || !strings.Contains(alerts, "ကျော်ဇော်ထွန်း") || strings.Count(alerts, `/dismiss"`) != 2 {
			t.Fatal("no alerts for the romanised and the Zawgyi-typed relatives")
		}
		for _, c := range []*http.Cookie{v1, handler} {
			body := e.get(t, base+"?lang=en", c).Body.String() + e.get(t, base+"/vetting/?lang=en", c).Body.String()
			if strings.Contains(body, "Unit-Watch-4471") || strings.Contains(body, "Notes-Watch-4472") || strings.Contains(body, "atch-list alert") || strings.Contains(body, "/watchlist") {
				t.Fatal("the case shows something of the alert")
			}
		}

		// An administrator sets the checklist; a bad one changes nothing.
		admin := e.member(t, "admin-one", []auth.Role{auth.RoleAdministrator})
		if r := e.post(t, "/vetting/checklist", url.Values{"checklist": {"Bad Kind!"}}, admin); r.Code != http.StatusBadRequest {
			t.Fatalf("bad checklist: %d", r.Code)
		}
		if n := e.count(t, "SELECT count(*) FROM settings WHERE name = 'vetting_checklist'"); n != 0 {
			t.Fatal("a refused checklist was stored")
		}
		mustSee(t, e.post(t, "/vetting/checklist", url.Values{"checklist": {"interview, border_story"}}, admin), "checklist")
		if r := e.get(t, "/vetting/settings?lang=en", admin); r.Code != 200 || !strings.Contains(r.Body.String(), "interview, border_story") {
			t.Fatalf("settings page: %d", r.Code)
		}
		if r := e.get(t, base+"/vetting/?lang=en", v1); !strings.Contains(r.Body.String(), "border_story") || !strings.Contains(r.Body.String(), "Identity document seen") {
			t.Fatal("the vetting page does not show the new checklist with the checks already recorded")
		}

		verifyByTwo(t, e, base, v1, v2)
		if n := e.count(t, "SELECT count(*) FROM cases WHERE state = 'verified'"); n != 1 {
			t.Fatal("the confirmed case is not verified")
		}
		if r := e.get(t, base+"/vetting/?lang=en", v1); r.Code != 200 || !strings.Contains(r.Body.String(), "In quarantine until") {
			t.Fatalf("no quarantine notice: %d %s", r.Code, r.Body.String())
		}
	})
}

func FuzzVettingForms(f *testing.F) {
	f.Add("verified", "low", "reason", "ကျော်", "12/OuKaMa(N)123456")
	f.Add("", "", "", "", "")
	f.Add("suspected_infiltrator", "high", "\x00\xff", "ေက်ာ္", "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆")
	f.Fuzz(func(t *testing.T, decision, risk, reason, name, nrc string) {
		err := vetting.ParseDecision(decision, risk)
		if err == nil && !(decision == "verified" || decision == "rejected" || decision == "suspected_infiltrator") {
			t.Fatalf("accepted decision %q", decision)
		}
		e, err := vetting.ParseEntry(vetting.Entry{NameMy: name, NRC: nrc, Notes: reason})
		if err == nil && e.NameMy == "" && e.NRC == "" {
			t.Fatal("accepted an entry naming nobody")
		}
	})
}
