package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var (
	caseLocRE   = regexp.MustCompile(`^/cases/([0-9]+)\?done=opened$`)
	personLocRE = regexp.MustCompile(`^/people/([0-9a-f]{24})$`)
	taskDoneRE  = regexp.MustCompile(`/tasks/([0-9]+)/done`)
)

// member creates an account with roles and teams and signs it in.
func (e *authEnv) member(t testing.TB, name string, roles []auth.Role, teams ...auth.Team) *http.Cookie {
	t.Helper()
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: name, Password: webTestPassword, Roles: roles, Teams: teams}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return e.login(t, en, webTestPassword)
}

// openCaseFromContact submits a public contact, and has officer open a
// case from it in the inbox; it returns the case's page path.
func (e *authEnv) openCaseFromContact(t testing.TB, officer *http.Cookie) string {
	t.Helper()
	if rec := e.postMultipart(t, "/contact", contactFields(e.formToken(t), "Message-Case-1"), nil); rec.Code != http.StatusCreated {
		t.Fatalf("contact: %d", rec.Code)
	}
	im := inboxRE.FindStringSubmatch(e.get(t, "/inbox", officer).Body.String())
	if im == nil {
		t.Fatal("no contact in the inbox")
	}
	rec := e.post(t, "/inbox/"+im[1]+"/case", url.Values{}, officer)
	m := caseLocRE.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("open case: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	return "/cases/" + m[1]
}

func mustSee(t *testing.T, rec interface{ Result() *http.Response }, what string) {
	t.Helper()
	if r := rec.Result(); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: %d, want 303", what, r.StatusCode)
	}
}

// TestCaseWebLifecycle takes a case through its whole lifecycle with form
// posts: opened from the inbox, assigned, read only by those holding a
// wrap, moved through every stage, with people, a duplicate candidate
// found from a Zawgyi-typed name, notes, tasks, threats, a photo and a
// merge; bad input is a 400 naming the field and stores nothing; an
// illegal move is a 409 listing the allowed states.
func TestCaseWebLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		passage := e.member(t, "passage-one", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
		// The casework team must exist to own verified cases (init makes
		// every team; this test makes them by their first member).
		casework1 := e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})
		other := e.member(t, "handler-two", []auth.Role{auth.RoleCaseHandler})

		base := e.openCaseFromContact(t, intake)
		page := e.get(t, base+"?lang=en", intake)
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, `<option value="screening">`) || strings.Contains(body, `<option value="resettled">`) ||
			strings.Contains(body, "<script") || !strings.Contains(body, `href="/cases"`) {
			t.Fatalf("case page for intake: %d", page.Code)
		}
		// Nobody else reads it until assigned: 404, not 403.
		for _, c := range []*http.Cookie{handler, other} {
			if r := e.get(t, base, c); r.Code != http.StatusNotFound {
				t.Fatalf("unassigned handler reads the case: %d", r.Code)
			}
		}
		if r := e.get(t, "/cases/99999", intake); r.Code != http.StatusNotFound {
			t.Fatalf("missing case: %d", r.Code)
		}
		if r := e.post(t, base+"/assign", url.Values{"username": {"nobody-here"}}, intake); r.Code != http.StatusBadRequest {
			t.Fatalf("assign to no account: %d", r.Code)
		}
		mustSee(t, e.post(t, base+"/assign", url.Values{"username": {"handler-one"}}, intake), "assign")
		if r := e.get(t, base, handler); r.Code != 200 || !strings.Contains(r.Body.String(), "handler-one") {
			t.Fatalf("assigned handler: %d", r.Code)
		}
		if r := e.get(t, base, other); r.Code != http.StatusNotFound {
			t.Fatalf("the other handler reads the case: %d", r.Code)
		}
		id := strings.TrimPrefix(base, "/cases/")
		if r := e.get(t, "/cases", handler); !strings.Contains(r.Body.String(), `href="/cases/`+id+`"`) {
			t.Fatal("the case is not in the handler's cases")
		}
		if r := e.post(t, "/cases/search", url.Values{"case": {burmese(id)}}, handler); r.Code != http.StatusSeeOther || r.Header().Get("Location") != base {
			t.Fatalf("search in Burmese digits: %d %q", r.Code, r.Header().Get("Location"))
		}
		if r := e.get(t, "/cases/queue?team=intake", intake); r.Code != 200 || !strings.Contains(r.Body.String(), `href="/cases/`+id+`"`) ||
			strings.Contains(r.Body.String(), "Message-Case-1") {
			t.Fatalf("intake queue: %d", r.Code)
		}

		// People: the defector's name in Unicode, a relative typed in
		// Zawgyi is offered as a duplicate on the relative's page.
		people := func() int { return e.count(t, "SELECT count(*) FROM people") }
		before := people()
		r := e.post(t, base+"/people?lang=en", url.Values{"relation": {"spouse"}, "risk": {"extreme"}, "name_latin": {"Canary-Person-1"}}, handler)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), `<strong class="field">Risk</strong>`) || people() != before ||
			strings.Contains(r.Body.String(), "Canary-Person-1") {
			t.Fatalf("bad risk: %d, people %d→%d", r.Code, before, people())
		}
		r = e.post(t, base+"/people", url.Values{"relation": {"parent"}, "dob": {"1970-13-40"}}, handler)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "မွေးသက္ကရာဇ်") || people() != before {
			t.Fatalf("bad date in Burmese: %d", r.Code)
		}
		r = e.post(t, base+"/people", url.Values{"relation": {"sibling"}, "name_my": {"အောင်မျိုးဇော်"}, "phone": {"09123456789"}}, handler)
		m := personLocRE.FindStringSubmatch(r.Header().Get("Location"))
		if r.Code != http.StatusSeeOther || m == nil {
			t.Fatalf("add person: %d %s", r.Code, r.Body.String())
		}
		first := m[1]
		r = e.post(t, base+"/people", url.Values{"relation": {"child"}, "name_my": {"ေအာင္မ်ိဳးေဇာ္"}, "still_inside": {"1"}, "risk": {"high"}}, handler)
		if m = personLocRE.FindStringSubmatch(r.Header().Get("Location")); r.Code != http.StatusSeeOther || m == nil {
			t.Fatalf("add Zawgyi person: %d", r.Code)
		}
		second := m[1]
		pp := e.get(t, "/people/"+second+"?lang=en", intake)
		if pp.Code != 200 || !strings.Contains(pp.Body.String(), `href="/people/`+first+`"`) || !strings.Contains(pp.Body.String(), "similar name") {
			t.Fatalf("person page lacks the Zawgyi duplicate: %d %s", pp.Code, pp.Body.String())
		}
		if !strings.Contains(pp.Body.String(), "အောင်မျိုးဇော်") {
			t.Fatal("the Zawgyi name was not converted to Unicode")
		}
		if hp := e.get(t, "/people/"+second, handler); hp.Code != 200 || !strings.Contains(hp.Body.String(), `action="/people/`+second+`/threats"`) {
			t.Fatalf("person page for the handler: %d", hp.Code)
		}
		if r := e.get(t, "/people/"+second, other); r.Code != http.StatusNotFound {
			t.Fatalf("the other handler reads a person: %d", r.Code)
		}

		// Threat, photo, edit.
		mustSee(t, e.post(t, "/people/"+second+"/threats", url.Values{"kind": {"arrest"}, "day": {"2021-10-01"}, "details": {"Threat-Case-7"}}, handler), "threat")
		if r := e.post(t, "/people/"+second+"/threats?lang=en", url.Values{"kind": {"tea"}, "day": {"2021-10-01"}}, handler); r.Code != http.StatusBadRequest ||
			!strings.Contains(r.Body.String(), ">Kind<") || e.count(t, "SELECT count(*) FROM threat_events") != 1 {
			t.Fatalf("bad threat kind: %d", r.Code)
		}
		png := []byte("\x89PNG\r\n\x1a\n0000 Photo-Case")
		up := e.postFile(t, "/people/"+second+"/photo", "photo", png, handler)
		mustSee(t, up, "photo")
		ph := e.get(t, "/people/"+second+"/photo", handler)
		if ph.Code != 200 || ph.Header().Get("Content-Type") != "image/png" || ph.Header().Get("Cache-Control") != "no-store" || !bytes.Equal(ph.Body.Bytes(), png) {
			t.Fatalf("photo: %d %q", ph.Code, ph.Header().Get("Cache-Control"))
		}
		if r := e.postFile(t, "/people/"+second+"/photo", "photo", []byte("not an image"), handler); r.Code != http.StatusBadRequest {
			t.Fatalf("a text file as photo: %d", r.Code)
		}
		if r := e.get(t, "/people/"+second+"/edit", handler); r.Code != 200 || !strings.Contains(r.Body.String(), `value="high" selected`) {
			t.Fatalf("edit form: %d", r.Code)
		}
		mustSee(t, e.post(t, "/people/"+second, url.Values{"relation": {"child"}, "name_my": {"အောင်မျိုးဇော်"}, "place": {"Place-Case-3"}, "risk": {"medium"}}, handler), "edit")

		// Notes and tasks, with bad input first.
		notes := func() int { return e.count(t, "SELECT count(*) FROM case_notes") }
		if r := e.post(t, base+"/notes?lang=en", url.Values{"text": {"  "}}, handler); r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), ">Text<") || notes() != 0 {
			t.Fatalf("empty note: %d", r.Code)
		}
		if r := e.post(t, base+"/notes", url.Values{"text": {strings.Repeat("x", 10001)}}, handler); r.Code != http.StatusBadRequest || notes() != 0 {
			t.Fatalf("oversized note: %d", r.Code)
		}
		mustSee(t, e.post(t, base+"/notes", url.Values{"text": {"Note-Case-5"}}, handler), "note")
		if r := e.post(t, base+"/tasks?lang=en", url.Values{"text": {"school"}, "due": {"tomorrow"}}, handler); r.Code != http.StatusBadRequest ||
			!strings.Contains(r.Body.String(), ">Due<") || e.count(t, "SELECT count(*) FROM case_tasks") != 0 {
			t.Fatalf("bad due day: %d", r.Code)
		}
		if r := e.post(t, base+"/tasks", url.Values{"text": {"school"}, "owner": {"nobody-here"}}, handler); r.Code != http.StatusBadRequest {
			t.Fatalf("task owner who is nobody: %d", r.Code)
		}
		mustSee(t, e.post(t, base+"/tasks", url.Values{"text": {"Task-Case-9"}, "due": {"2022-01-10"}, "owner": {"handler-one"}}, handler), "task")
		cp := e.get(t, base, handler).Body.String()
		tm := taskDoneRE.FindStringSubmatch(cp)
		if tm == nil || !strings.Contains(cp, "Note-Case-5") || !strings.Contains(cp, "Task-Case-9") || !strings.Contains(cp, "Threat-Case-7") {
			t.Fatal("case page lacks the note, task or threat")
		}
		mustSee(t, e.post(t, base+"/tasks/"+tm[1]+"/done", url.Values{"done": {"1"}}, handler), "task done")
		if e.count(t, "SELECT count(*) FROM case_tasks WHERE done = TRUE") != 1 {
			t.Fatal("task not done")
		}

		// Merge the duplicate (both histories kept).
		mustSee(t, e.post(t, "/people/"+second+"/merge", url.Values{"into": {first}}, handler), "merge")
		if e.count(t, "SELECT count(*) FROM people WHERE merged_into = $1", first) != 1 {
			t.Fatal("not merged")
		}

		// An illegal move: 409 listing the allowed states; a role
		// without the move's permission: 403.
		r = e.post(t, base+"/transition?lang=en", url.Values{"to": {"resettled"}, "reason": {"skip"}}, intake)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), "<li>Screening</li>") || !strings.Contains(r.Body.String(), "<li>Withdrawn</li>") ||
			e.count(t, "SELECT count(*) FROM cases WHERE state = 'contacted'") != 1 {
			t.Fatalf("illegal move: %d %s", r.Code, r.Body.String())
		}
		if r := e.post(t, base+"/transition", url.Values{"to": {"screening"}, "reason": {"x"}}, handler); r.Code != http.StatusForbidden {
			t.Fatalf("handler moving an intake case: %d", r.Code)
		}
		if r := e.post(t, base+"/transition", url.Values{"to": {"screening"}, "reason": {""}}, intake); r.Code != http.StatusBadRequest {
			t.Fatalf("move without a reason: %d", r.Code)
		}
		steps := []struct {
			c  *http.Cookie
			to string
		}{{intake, "screening"}, {intake, "vetting"}, {vetter, "verified"}, {handler, "in_passage"}, {passage, "arrived"}, {handler, "sheltered"}, {handler, "resettled"}}
		for _, s := range steps {
			if s.to == "verified" {
				// Vetting's verdict needs two officers.
				verifyByTwo(t, e, base, s.c, vetter2)
				continue
			}
			r := e.post(t, base+"/transition", url.Values{"to": {s.to}, "reason": {"Reason-" + s.to}}, s.c)
			if r.Code != http.StatusSeeOther {
				t.Fatalf("→ %s: %d %s", s.to, r.Code, r.Body.String())
			}
		}
		final := e.get(t, base+"?lang=en", handler).Body.String()
		if !strings.Contains(final, "Resettled") || !strings.Contains(final, "Reason-vetting") || strings.Contains(final, `action="`+base+`/transition"`) {
			t.Fatal("final page: wrong state, no timeline reason, or a move form for a final state")
		}
		if r := e.get(t, base, vetter); r.Code != http.StatusNotFound {
			t.Fatalf("vetting still reads a resettled case: %d", r.Code)
		}
		// Unassigning takes the handler's key away (the casework team,
		// which owns a resettled case, keeps it).
		mustSee(t, e.post(t, base+"/unassign", url.Values{}, handler), "unassign")
		if r := e.get(t, base, handler); r.Code != http.StatusNotFound {
			t.Fatalf("unassigned handler still reads: %d", r.Code)
		}
		if n := casePageWeight(t, e, base, casework1); n >= 60<<10 {
			t.Fatalf("case page weighs %d bytes gzip", n)
		}
	})
}

// postFile posts a multipart form with one file field.
func (e *authEnv) postFile(t testing.TB, path, field string, content []byte, c *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile(field, "p.bin")
	fw.Write(content)
	w.Close()
	req := httptest.NewRequest("POST", "https://embrace.test"+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// casePageWeight is the gzip size of a case page with its stylesheet.
func casePageWeight(t testing.TB, e *authEnv, path string, c *http.Cookie) int {
	t.Helper()
	var total int
	for _, p := range []string{path, "/static/style.css"} {
		rec := e.get(t, p, c)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", p, rec.Code)
		}
		var z bytes.Buffer
		gw := gzip.NewWriter(&z)
		gw.Write(rec.Body.Bytes())
		gw.Close()
		total += z.Len()
	}
	return total
}

// TestCasePageWeight: a busy case page (ten people, thirty notes, thirty
// tasks, a long timeline) stays under the staff budget of 60 KB gzip,
// HTML and CSS. Run with -v to print the weight.
func TestCasePageWeight(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
	handler := e.member(t, "handler-one", []auth.Role{auth.RoleCaseHandler})
	base := e.openCaseFromContact(t, intake)
	mustSee(t, e.post(t, base+"/assign", url.Values{"username": {"handler-one"}}, intake), "assign")
	for i := range 10 {
		mustSee(t, e.post(t, base+"/people", url.Values{"relation": {"child"}, "name_my": {"မောင်မောင်" + strconv.Itoa(i)}, "name_latin": {"Maung Maung " + strconv.Itoa(i)},
			"relocation_needs": {strings.Repeat("needs a safe house near a school ", 3)}, "risk": {"high"}, "still_inside": {"1"}}, handler), "person")
	}
	for i := range 30 {
		mustSee(t, e.post(t, base+"/notes", url.Values{"text": {strings.Repeat("Met the family at the border crossing; they need papers. ", 4) + strconv.Itoa(i)}}, handler), "note")
		mustSee(t, e.post(t, base+"/tasks", url.Values{"text": {"Arrange transport and papers for the family " + strconv.Itoa(i)}, "due": {"2022-01-10"}, "owner": {"handler-one"}}, handler), "task")
	}
	for _, lang := range []string{"my", "en"} {
		n := casePageWeight(t, e, base+"?lang="+lang, handler)
		t.Logf("case page (%s) with stylesheet: %d bytes gzip", lang, n)
		if n >= 60<<10 {
			t.Errorf("case page (%s) weighs %d bytes gzip, budget 60 KB", lang, n)
		}
	}
}
