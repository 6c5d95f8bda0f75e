package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var guideLinkRE = regexp.MustCompile(`/g/([A-Za-z0-9_-]{43})`)

// passageEnv is a web deployment with a case in passage and a signed-in
// passage coordinator.
type passageEnv struct {
	*authEnv
	coord   *http.Cookie
	handler *http.Cookie // a case handler (casework team)
	caseID  int64
	people  []string
}

func (e *authEnv) sessionOf(t testing.TB, c *http.Cookie) *auth.Session {
	t.Helper()
	s, err := e.svc.Authenticate(context.Background(), c.Value, auth.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newPassageEnv(t testing.TB, st *store.Store) *passageEnv {
	t.Helper()
	ctx := context.Background()
	e := newAuthEnv(t, st, auth.Config{})
	in := e.member(t, "intake-p", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
	vet, vet2 := e.pair(t, "vetter-p", "vetter-p2", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
	hand := e.member(t, "handler-p", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
	coord := e.member(t, "coord-p", []auth.Role{auth.RolePassageCoordinator}, auth.TeamPassage)
	team, err := keys.LookupPrincipal(ctx, st.DB(), keys.KindTeam, casework.TeamIntake)
	if err != nil {
		t.Fatal(err)
	}
	cw := e.srv.cfg.Cases
	inS := e.sessionOf(t, in)
	id, err := cw.OpenAs(ctx, casework.ActorOf(inS), caseworktest.Case(), team)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		c  *http.Cookie
		to string
	}{{in, casework.StateScreening}, {in, casework.StateVetting}, {vet, casework.StateVerified}, {hand, casework.StateInPassage}} {
		s := e.sessionOf(t, step.c)
		if step.to == casework.StateVerified {
			// Vetting's verdict: one officer proposes, another confirms.
			s2 := e.sessionOf(t, vet2)
			did, err := e.srv.cfg.Vetting.Propose(ctx, casework.ActorOf(s), s.Keyring(), id, casework.StateVerified, "low", "test")
			if err == nil {
				err = e.srv.cfg.Vetting.Confirm(ctx, casework.ActorOf(s2), s2.Keyring(), id, did)
			}
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			continue
		}
		if err := cw.Transition(ctx, casework.ActorOf(s), s.Keyring(), id, step.to, "test"); err != nil {
			t.Fatalf("move to %s: %v", step.to, err)
		}
	}
	c, err := cw.Get(ctx, e.sessionOf(t, coord).Keyring(), id)
	if err != nil {
		t.Fatal(err)
	}
	pe := &passageEnv{authEnv: e, coord: coord, handler: hand, caseID: id}
	for _, p := range c.People {
		pe.people = append(pe.people, p.ID)
	}
	return pe
}

// planForm is a three-leg route on the test clock's day (2025-06-01),
// each leg's fields holding its own canaries.
func (pe *passageEnv) planForm() url.Values {
	f := url.Values{"traveller": pe.people}
	windows := [][2]string{{"2025-06-01T18:00", "2025-06-01T22:00"}, {"2025-06-01T22:00", "2025-06-02T04:00"}, {"2025-06-02T04:00", "2025-06-02T10:00"}}
	for i := 1; i <= 3; i++ {
		n := strconv.Itoa(i)
		f.Set("from_"+n, "Place-From-"+n)
		f.Set("to_"+n, "Place-To-"+n)
		f.Set("start_"+n, windows[i-1][0])
		f.Set("end_"+n, windows[i-1][1])
		f.Set("guide_"+n, "Guide-Name-"+n)
		f.Set("codeword_"+n, "Codeword-"+n)
		f.Set("notes_"+n, "Notes-"+n)
	}
	return f
}

// plan posts the plan form and returns the three guide links' secrets.
func (pe *passageEnv) plan(t testing.TB) []string {
	t.Helper()
	rec := pe.post(t, "/passage/new/"+strconv.FormatInt(pe.caseID, 10), pe.planForm(), pe.coord)
	if rec.Code != http.StatusCreated {
		t.Fatalf("plan: %d %s", rec.Code, rec.Body.String())
	}
	var out []string
	for _, m := range guideLinkRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		out = append(out, m[1])
	}
	if len(out) != 3 {
		t.Fatalf("%d links on the page", len(out))
	}
	return out
}

var legIDRE = regexp.MustCompile(`name="leg" value="([0-9a-f]{24})"`)

func TestPassageWebJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		pe := newPassageEnv(t, st)
		var logs bytes.Buffer
		pe.srv.log = slog.New(slog.NewTextHandler(&logs, nil))
		pe.srv.cfg.Logger = pe.srv.log

		// The dashboard offers the case; the form names its people.
		if rec := pe.get(t, "/passage", pe.coord); rec.Code != 200 || !strings.Contains(rec.Body.String(), "/passage/new/"+strconv.FormatInt(pe.caseID, 10)) {
			t.Fatalf("dashboard: %d", rec.Code)
		}
		if rec := pe.get(t, "/passage/new/"+strconv.FormatInt(pe.caseID, 10)+"?lang=en", pe.coord); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Aung Myo Zaw") {
			t.Fatalf("plan form: %d", rec.Code)
		}
		links := pe.plan(t)
		// Every message of the passage pages is translated, in both languages.
		plans0, _ := pe.srv.cfg.Passage.List(context.Background(), 1)
		for _, lang := range []string{"my", "en"} {
			for _, p := range []string{"/g/" + links[0], "/passage", "/passage/plans/" + plans0[0].ID, "/passage/new/" + strconv.FormatInt(pe.caseID, 10)} {
				body := pe.get(t, p+"?lang="+lang, pe.coord).Body.String()
				for _, prefix := range []string{"passage.", "guide.", "cases.", "error."} {
					if strings.Contains(body, ">"+prefix) || strings.Contains(body, " "+prefix) {
						t.Errorf("%s %s: untranslated id with prefix %q", lang, strings.SplitN(p, "/", 3)[1], prefix)
					}
				}
			}
		}
		legs := make([]string, 3)
		for i, l := range links {
			rec := pe.get(t, "/g/"+l)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("guide %d: %d", i+1, rec.Code)
			}
			for j := 1; j <= 3; j++ {
				if strings.Contains(body, "Codeword-"+strconv.Itoa(j)) != (j == i+1) {
					t.Fatalf("guide %d's page and leg %d's codeword", i+1, j)
				}
			}
			if i == 0 && !strings.Contains(body, "၂၀၂၅-၀၆-၀၁ ၁၈:၀၀") {
				t.Fatal("the guide's window is not in Burmese digits")
			}
			if strings.Contains(strings.ToLower(body), "<script") || !strings.Contains(body, `<html lang="my"`) {
				t.Fatalf("guide page has script or is not Burmese")
			}
			h := rec.Header()
			if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Fatalf("guide page headers: %v", h)
			}
			m := legIDRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no leg id on guide %d's page", i+1)
			}
			legs[i] = m[1]
		}
		checkin := func(i int, leg, kind string, want int) {
			t.Helper()
			rec := pe.post(t, "/g/"+links[i], url.Values{"leg": {leg}, "kind": {kind}, "message": {"Problem-Msg"}})
			if rec.Code != want {
				t.Fatalf("leg %d %s: %d, want %d", i+1, kind, rec.Code, want)
			}
		}
		checkins := func() int { return pe.count(t, "SELECT COUNT(*) FROM passage_checkins") }
		// Refusals: out of order, another leg's form, unknown and malformed links.
		checkin(1, legs[1], "picked_up", http.StatusConflict)
		checkin(0, legs[1], "picked_up", http.StatusBadRequest)
		checkin(0, legs[0], "handed_over", http.StatusConflict)
		if rec := pe.get(t, "/g/"+strings.Repeat("A", 43)); rec.Code != http.StatusNotFound {
			t.Fatalf("unknown link: %d", rec.Code)
		}
		if rec := pe.get(t, "/g/short"); rec.Code != http.StatusNotFound {
			t.Fatalf("malformed link: %d", rec.Code)
		}
		if n := checkins(); n != 0 {
			t.Fatalf("refusals recorded %d check-ins", n)
		}
		for i := range 3 {
			checkin(i, legs[i], "picked_up", 200)
			if i == 1 {
				checkin(i, legs[i], "problem", 200)
				if rec := pe.get(t, "/passage", pe.coord); !strings.Contains(rec.Body.String(), "flash flash-bad") {
					t.Fatal("the dashboard shows no urgent alert")
				}
			}
			checkin(i, legs[i], "handed_over", 200)
		}
		checkin(0, legs[0], "problem", http.StatusConflict) // reused
		if n := checkins(); n != 7 {
			t.Fatalf("%d check-ins", n)
		}
		// The coordinator's next visit moves the case to arrived.
		if rec := pe.get(t, "/passage", pe.coord); rec.Code != 200 {
			t.Fatalf("dashboard: %d", rec.Code)
		}
		sum, err := pe.srv.cfg.Cases.Summary(context.Background(), pe.caseID)
		if err != nil || sum.State != casework.StateArrived {
			t.Fatalf("case after arrival: %s %v", sum.State, err)
		}
		// The plan page shows the route and the problem message.
		plans, _ := pe.srv.cfg.Passage.List(context.Background(), 10)
		rec := pe.get(t, "/passage/plans/"+plans[0].ID, pe.coord)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Problem-Msg") || !strings.Contains(rec.Body.String(), "Codeword-3") {
			t.Fatalf("plan page: %d", rec.Code)
		}
		// No secret reaches the log.
		for _, l := range links {
			if strings.Contains(logs.String(), l) {
				t.Fatal("a guide link's secret is in the log")
			}
		}
		if !strings.Contains(logs.String(), "/g/{secret}") {
			t.Fatal("the access log does not name the guide route")
		}
		// Guide routes are public, not staff routes.
		for _, rt := range pe.srv.StaffRoutes() {
			if strings.Contains(rt.Pattern, "/g/") {
				t.Fatalf("%s is a staff route", rt.Pattern)
			}
		}
	})
}

func TestPassageWebBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		pe := newPassageEnv(t, st)
		path := "/passage/new/" + strconv.FormatInt(pe.caseID, 10)
		bad := []struct {
			name string
			mut  func(f url.Values)
			want int
		}{
			{"no travellers", func(f url.Values) { f.Del("traveller") }, 400},
			{"foreign traveller", func(f url.Values) { f["traveller"] = []string{"0123456789abcdef01234567"} }, 400},
			{"end before start", func(f url.Values) { f.Set("end_2", "2025-06-01T20:00") }, 400},
			{"bad time", func(f url.Values) { f.Set("start_1", "soon") }, 400},
			{"no guide", func(f url.Values) { f.Set("guide_3", "") }, 400},
			{"bad utf-8", func(f url.Values) { f.Set("notes_1", "\xff") }, 400},
			{"no legs", func(f url.Values) {
				for k := range f {
					if k != "traveller" {
						f.Del(k)
					}
				}
			}, 400},
		}
		for _, tc := range bad {
			f := pe.planForm()
			tc.mut(f)
			rec := pe.post(t, path, f, pe.coord)
			if rec.Code != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
			}
		}
		if rec := pe.post(t, "/passage/new/999999", pe.planForm(), pe.coord); rec.Code != http.StatusNotFound {
			t.Errorf("unknown case: %d", rec.Code)
		}
		if rec := pe.post(t, "/passage/new/x", pe.planForm(), pe.coord); rec.Code != http.StatusNotFound {
			t.Errorf("malformed case: %d", rec.Code)
		}
		if rec := pe.get(t, "/passage/plans/nope", pe.coord); rec.Code != http.StatusNotFound {
			t.Errorf("unknown plan: %d", rec.Code)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM passage_plans", "SELECT COUNT(*) FROM passage_legs", "SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'"} {
			if n := pe.count(t, q); n != 0 {
				t.Errorf("%s: %d after bad input", q, n)
			}
		}
		// A route cancelled from its page is shredded; the case can be planned again.
		first := pe.plan(t)
		plans, _ := pe.srv.cfg.Passage.List(context.Background(), 10)
		if rec := pe.post(t, "/passage/plans/"+plans[0].ID+"/cancel", url.Values{}, pe.coord); rec.Code != http.StatusSeeOther {
			t.Fatalf("cancel: %d", rec.Code)
		}
		if rec := pe.get(t, "/g/"+first[0]); rec.Code != http.StatusNotFound {
			t.Errorf("a cancelled route's link: %d", rec.Code)
		}
		if rec := pe.post(t, "/passage/plans/"+plans[0].ID+"/cancel", url.Values{}, pe.coord); rec.Code != http.StatusConflict {
			t.Errorf("cancel twice: %d", rec.Code)
		}
		// An expired link is refused (410) and changes nothing.
		links := pe.plan(t)
		pe.clock.Advance(72*time.Hour + 24*time.Hour)
		if rec := pe.get(t, "/g/"+links[0]); rec.Code != http.StatusGone {
			t.Errorf("expired link: %d", rec.Code)
		}
		if rec := pe.post(t, "/g/"+links[0], url.Values{"kind": {"picked_up"}}); rec.Code != http.StatusGone {
			t.Errorf("expired link check-in: %d", rec.Code)
		}
		if n := pe.count(t, "SELECT COUNT(*) FROM passage_checkins"); n != 0 {
			t.Errorf("%d check-ins after refusals", n)
		}
	})
}
