package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		admin := e.account(t, "aye-admin", auth.RoleAdministrator)
		e.account(t, "kyaw-intake", auth.RoleIntakeOfficer)
		c := e.login(t, admin, webTestPassword)

		page := e.get(t, "/admin/audit?lang=en", c)
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, "auth.account.create") || !strings.Contains(body, "user:kyaw-intake") || !strings.Contains(body, "auth.login") {
			t.Fatalf("audit page: %d %s", page.Code, body)
		}
		if !strings.Contains(body, "— embrace") && !strings.Contains(body, "\u2014 ") {
			t.Fatalf("audit page shows no signed checkpoint: %s", body)
		}
		// Filtering by action shows only that action.
		f := e.get(t, "/admin/audit?lang=en&action=auth.login", c).Body.String()
		if strings.Contains(f, "auth.account.create") || !strings.Contains(f, "auth.login") {
			t.Fatal("the action filter does not filter")
		}
		// A filter no entry field could hold is refused, clearly.
		bad := e.get(t, "/admin/audit?lang=en&actor=%3Cscript%3E%20x", c)
		if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "not valid") || strings.Contains(bad.Body.String(), "<script>") {
			t.Fatalf("bad filter: %d", bad.Code)
		}
		if r := e.get(t, "/admin/audit?before=-4", c); r.Code != http.StatusBadRequest {
			t.Fatalf("bad before: %d", r.Code)
		}

		// Verification reports an intact log, then catches an edited entry.
		ok := e.post(t, "/admin/audit/verify?lang=en", url.Values{}, c)
		if ok.Code != 200 || !strings.Contains(ok.Body.String(), "The log is intact") {
			t.Fatalf("verify: %d %s", ok.Code, ok.Body.String())
		}
		if _, err := st.Writer().ExecContext(context.Background(), "UPDATE audit_entries SET actor = 'user:mallory' WHERE idx = 1"); err != nil {
			t.Fatal(err)
		}
		bad = e.post(t, "/admin/audit/verify?lang=en", url.Values{}, c)
		if bad.Code != 200 || !strings.Contains(bad.Body.String(), "tampered with") {
			t.Fatalf("verify after tampering: %d %s", bad.Code, bad.Body.String())
		}
	})
}
