package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"embrace/internal/store/storetest"
)

// FuzzGuideCheckIn posts any path segment and form to the guides' route of
// a deployment with a route planned: the answer is a page or a clear
// refusal, never a server error, and a link that is not one of the route's
// records nothing.
func FuzzGuideCheckIn(f *testing.F) {
	pe := newPassageEnv(f, storetest.New(f, storetest.Targets(f)[0]))
	links := pe.plan(f)
	f.Add(links[0], "kind=picked_up&leg=x")
	f.Add(links[1], "kind=handed_over")
	f.Add(strings.Repeat("A", 43), "kind=problem&message=hi")
	f.Add("%2e%2e", "kind=%ff")
	f.Add(links[0], "message="+strings.Repeat("x", 600)+"&kind=problem")
	f.Fuzz(func(t *testing.T, secret, body string) {
		if strings.ContainsAny(secret, "/?#% \t\r\n") || secret == "" {
			return
		}
		req := httptest.NewRequest("POST", "https://embrace.test/g/"+url.PathEscape(secret), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		before := pe.count(t, "SELECT COUNT(*) FROM passage_checkins")
		rec := httptest.NewRecorder()
		pe.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q %q", rec.Code, secret, body)
		}
		known := false
		for _, l := range links {
			known = known || l == secret
		}
		if !known && pe.count(t, "SELECT COUNT(*) FROM passage_checkins") != before {
			t.Fatal("a check-in recorded through an unknown link")
		}
		if rec.Code == http.StatusOK && !known {
			t.Fatalf("an unknown link was served: %q", secret)
		}
	})
}
