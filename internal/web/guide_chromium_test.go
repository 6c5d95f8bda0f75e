package web

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"embrace/internal/casework"
	"embrace/internal/store/storetest"
)

// TestGuideChromiumLegs: a coordinator plans a three-leg route; three
// guides each open their own link in headless Chromium with JavaScript
// off and see their leg's canaries and none of the other legs'; each
// presses the buttons in turn, and the case ends up arrived.
func TestGuideChromiumLegs(t *testing.T) {
	st := storetest.New(t, storetest.Targets(t)[0])
	pe := newPassageEnv(t, st)
	links := pe.plan(t)
	c := startChromium(t)
	ts := httptest.NewServer(pe.h)
	defer ts.Close()

	canaries := func(n int) []string {
		s := strconv.Itoa(n)
		return []string{"Place-From-" + s, "Place-To-" + s, "Guide-Name-" + s, "Codeword-" + s, "Notes-" + s}
	}
	for i, l := range links {
		c.navigate(ts.URL + "/g/" + l + "?lang=my")
		page := c.html()
		if !strings.Contains(page, `<html lang="my"`) {
			t.Fatalf("guide %d's page is not Burmese", i+1)
		}
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Fatalf("guide %d's page has a script", i+1)
		}
		for j := 1; j <= 3; j++ {
			for _, cn := range canaries(j) {
				if strings.Contains(page, cn) != (j == i+1) {
					t.Fatalf("guide %d's page and %s: shown=%v\n%s", i+1, cn, j != i+1, page)
				}
			}
		}
		// The English link keeps the guide on their leg.
		c.navigate(ts.URL + "/g/" + l + "?lang=en")
		if !strings.Contains(c.html(), "Leg "+strconv.Itoa(i+1)+" of 3") {
			t.Fatalf("English page of guide %d:\n%s", i+1, c.html())
		}
		// Picked up, then handed over, with the page's own buttons.
		c.click(`input[value=picked_up] ~ button`)
		c.waitLoad()
		if !strings.Contains(c.html(), "Recorded: picked up") {
			t.Fatalf("guide %d: pick-up not recorded:\n%s", i+1, c.html())
		}
		c.click(`input[value=handed_over] ~ button`)
		c.waitLoad()
		if !strings.Contains(c.html(), "handed over") {
			t.Fatalf("guide %d: hand-over not recorded:\n%s", i+1, c.html())
		}
	}
	// The used link is refused now.
	c.navigate(ts.URL + "/g/" + links[0])
	if strings.Contains(c.html(), "Codeword-1") {
		t.Fatal("a used link still shows its leg")
	}
	if rec := pe.get(t, "/passage", pe.coord); rec.Code != 200 {
		t.Fatalf("dashboard: %d", rec.Code)
	}
	sum, err := pe.srv.cfg.Cases.Summary(t.Context(), pe.caseID)
	if err != nil || sum.State != casework.StateArrived {
		t.Fatalf("case after the three guides: %s %v", sum.State, err)
	}
}
