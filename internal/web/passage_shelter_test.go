package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/passage"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// TestRouteToShelterToPurge is issue #10's whole journey through the
// pages: a coordinator plans a three-leg route for a verified case, each
// guide checks in from their own link, the coordinator's next visit moves
// the case to arrived, the handler asks for a place, a full house is
// refused and one with beds is given, the case is sheltered, and after
// the purge period the route's details are gone while its green facts
// stay.
func TestRouteToShelterToPurge(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		pe := newPassageEnv(t, st)
		id := strconv.FormatInt(pe.caseID, 10)
		links := pe.plan(t)
		for i, l := range links {
			m := legIDRE.FindStringSubmatch(pe.get(t, "/g/"+l).Body.String())
			if m == nil {
				t.Fatalf("no leg on guide %d's page", i+1)
			}
			for _, kind := range []string{"picked_up", "handed_over"} {
				if rec := pe.post(t, "/g/"+l, url.Values{"leg": {m[1]}, "kind": {kind}}); rec.Code != http.StatusOK {
					t.Fatalf("guide %d %s: %d", i+1, kind, rec.Code)
				}
			}
		}
		if rec := pe.get(t, "/passage", pe.coord); rec.Code != http.StatusOK {
			t.Fatalf("dashboard: %d", rec.Code)
		}
		if sum, err := pe.srv.cfg.Cases.Summary(ctx, pe.caseID); err != nil || sum.State != casework.StateArrived {
			t.Fatalf("after the last hand-over: %s %v", sum.State, err)
		}

		// Sheltered within capacity (the quarantine is set to none here:
		// the case was verified today).
		if err := st.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, 0) }); err != nil {
			t.Fatal(err)
		}
		coord := pe.member(t, "shelter-p", []auth.Role{auth.RoleShelterCoordinator}, auth.TeamShelter)
		houses := map[string]string{}
		for _, h := range []url.Values{
			{"code": {"MS-7"}, "area": {"Mae Sot"}, "beds": {"1"}, "address": {"Address-Small"}},
			{"code": {"MS-8"}, "area": {"Mae Sot"}, "beds": {"4"}, "address": {"Address-Large"}},
		} {
			r := pe.post(t, "/shelters", h, coord)
			m := houseLocRE.FindStringSubmatch(r.Header().Get("Location"))
			if r.Code != http.StatusSeeOther || m == nil {
				t.Fatalf("create house: %d", r.Code)
			}
			houses[h.Get("code")] = m[1]
		}
		pm := personBoxRE.FindStringSubmatch(pe.get(t, "/shelters/cases/"+id, pe.handler).Body.String())
		if pm == nil {
			t.Fatal("no person to ask a place for")
		}
		mustSee(t, pe.post(t, "/shelters/cases/"+id+"/request", url.Values{"person": {pm[1]}, "headcount": {"2"}}, pe.handler), "request")
		am := assignRE.FindStringSubmatch(pe.get(t, "/shelters/requests", coord).Body.String())
		if am == nil {
			t.Fatal("the request is not listed")
		}
		if r := pe.post(t, "/shelters/stays/"+am[1]+"/assign?lang=en", url.Values{"house": {houses["MS-7"]}}, coord); r.Code != http.StatusConflict ||
			!strings.Contains(r.Body.String(), "Free beds in house MS-7: 1. This family needs: 2.") {
			t.Fatalf("a full house: %d %s", r.Code, r.Body.String())
		}
		mustSee(t, pe.post(t, "/shelters/stays/"+am[1]+"/assign", url.Values{"house": {houses["MS-8"]}}, coord), "assign")
		mustSee(t, pe.post(t, "/cases/"+id+"/transition", url.Values{"to": {"sheltered"}, "reason": {"housed"}}, pe.handler), "sheltered")
		if sum, _ := pe.srv.cfg.Cases.Summary(ctx, pe.caseID); sum.State != casework.StateSheltered {
			t.Fatalf("case in %s", sum.State)
		}

		// After the purge period the route's details are gone.
		n, err := pe.srv.cfg.Passage.Purge(ctx, pe.clock.Now().AddDate(0, 0, passage.DefaultPurgeDays+1))
		if err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM passage_legs", "SELECT COUNT(*) FROM passage_checkins",
			"SELECT COUNT(*) FROM key_wraps WHERE object_kind = 'passage_leg'"} {
			if n := pe.count(t, q); n != 0 {
				t.Fatalf("%s: %d after the purge", q, n)
			}
		}
		if rec := pe.get(t, "/g/"+links[0]); rec.Code != http.StatusNotFound {
			t.Fatalf("a purged guide link: %d", rec.Code)
		}
		if n := pe.count(t, "SELECT COUNT(*) FROM passage_plans WHERE status = 'purged' AND legs = 3"); n != 1 {
			t.Fatalf("the plan's green facts: %d", n)
		}
	})
}
