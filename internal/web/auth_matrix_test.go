package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
)

// ownerFixtures make, for a route's Owner path value, an object belonging
// to the acting person and one belonging to someone else. A staff route
// whose Owner has no fixture here fails the matrix: add one with the route.
var ownerFixtures = map[string]func(t *testing.T, e *authEnv, actor, other auth.Enrolment) (own, others string){
	// handle: a session handle. The acting person's own is a second
	// session of theirs, so ending it leaves the acting session alone.
	"handle": func(t *testing.T, e *authEnv, actor, other auth.Enrolment) (string, string) {
		return handleOf(t, e, e.login(t, actor, webTestPassword)), handleOf(t, e, e.login(t, other, webTestPassword))
	},
}

func handleOf(t *testing.T, e *authEnv, c *http.Cookie) string {
	t.Helper()
	s, err := e.svc.Authenticate(context.Background(), c.Value, auth.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handle
}

// reviewedPermissions pins the permission of routes whose choice was
// reviewed: the matrix checks that routes enforce what they declare, and
// this checks that what they declare is what was decided. Add a route here
// when it is reviewed; a change of permission then fails until the table
// changes too.
var reviewedPermissions = map[string]auth.Permission{
	"POST /logout":                   auth.PermSelf,
	"GET /workspace":                 auth.PermSelf,
	"GET /sessions":                  auth.PermSelf,
	"POST /sessions/{handle}/revoke": auth.PermSelf,
	"GET /account/duress":            auth.PermSelf,
	"POST /account/duress":           auth.PermSelf,
	"GET /admin/alerts":              auth.PermAlerts,
	"POST /admin/lockdown":           auth.PermLockdown,
	"GET /inbox":                     auth.PermIntakeQueue,
	"GET /inbox/record":              auth.PermIntakeQueue,
	"POST /inbox/record":             auth.PermIntakeQueue,
	"GET /inbox/{id}":                auth.PermIntakeQueue,
	"GET /inbox/{id}/files/{file}":   auth.PermIntakeQueue,
	"POST /inbox/{id}/reply":         auth.PermIntakeQueue,
	"POST /inbox/{id}/spam":          auth.PermIntakeQueue,
	"POST /inbox/{id}/merge":         auth.PermIntakeQueue,
	"POST /inbox/{id}/case":          auth.PermCaseOpen,
	// Casework: the permission the API requires for the same action.
	"GET /cases":                         auth.PermCaseRead,
	"GET /cases/queue":                   auth.PermCaseRead,
	"GET /cases/state/{state}":           auth.PermCaseRead,
	"POST /cases/search":                 auth.PermCaseRead,
	"GET /cases/{id}":                    auth.PermCaseRead,
	"POST /cases/{id}/transition":        auth.PermCaseRead,
	"POST /cases/{id}/assign":            auth.PermCaseAssign,
	"POST /cases/{id}/unassign":          auth.PermCaseAssign,
	"POST /cases/{id}/notes":             auth.PermCaseHandle,
	"POST /cases/{id}/tasks":             auth.PermCaseHandle,
	"POST /cases/{id}/tasks/{task}/done": auth.PermCaseHandle,
	"GET /cases/{id}/people/new":         auth.PermCaseHandle,
	"POST /cases/{id}/people":            auth.PermCaseHandle,
	"GET /people/{id}":                   auth.PermCaseRead,
	"GET /people/{id}/edit":              auth.PermCaseHandle,
	"POST /people/{id}":                  auth.PermCaseHandle,
	"GET /people/{id}/photo":             auth.PermCaseRead,
	"POST /people/{id}/photo":            auth.PermCaseHandle,
	"POST /people/{id}/threats":          auth.PermCaseHandle,
	"POST /people/{id}/merge":            auth.PermCaseHandle,
	// Shelters: the house and stay pages need the shelter team's right;
	// asking for a place and reading the house given need the case's.
	"GET /shelters":                                   auth.PermShelter,
	"POST /shelters":                                  auth.PermShelter,
	"GET /shelters/requests":                          auth.PermShelter,
	"GET /shelters/{id}":                              auth.PermShelter,
	"POST /shelters/{id}/details":                     auth.PermShelter,
	"POST /shelters/{id}/beds":                        auth.PermShelter,
	"POST /shelters/{id}/needs":                       auth.PermShelter,
	"POST /shelters/{id}/needs/{need}/met":            auth.PermShelter,
	"POST /shelters/stays/{stay}/assign":              auth.PermShelter,
	"POST /shelters/stays/{stay}/checkout":            auth.PermShelter,
	"GET /shelters/cases/{id}":                        auth.PermCaseHandle,
	"POST /shelters/cases/{id}/request":               auth.PermCaseHandle,
	"POST /shelters/stays/{stay}/decline":             auth.PermShelter,
	"POST /shelters/cases/{id}/stays/{stay}/withdraw": auth.PermCaseHandle,
	// Passage: the permission the API requires for the same action.
	"GET /passage":                    auth.PermPassagePlan,
	"GET /passage/new/{case}":         auth.PermPassagePlan,
	"POST /passage/new/{case}":        auth.PermPassagePlan,
	"GET /passage/plans/{id}":         auth.PermPassagePlan,
	"POST /passage/plans/{id}/cancel": auth.PermPassagePlan,
	"POST /passage/legs/{id}/link":    auth.PermPassagePlan,
	// Vetting: the permission the API requires for the same action.
	"GET /cases/{id}/vetting/{$}":                            auth.PermVettingCheck,
	"POST /cases/{id}/vetting/checks":                        auth.PermVettingCheck,
	"POST /cases/{id}/vetting/evidence":                      auth.PermVettingCheck,
	"GET /cases/{id}/vetting/evidence/{evidence}":            auth.PermVettingCheck,
	"POST /cases/{id}/vetting/decisions":                     auth.PermVettingDecide,
	"POST /cases/{id}/vetting/decisions/{decision}/confirm":  auth.PermVettingDecide,
	"POST /cases/{id}/vetting/decisions/{decision}/withdraw": auth.PermVettingDecide,
	"GET /watchlist":                         auth.PermWatchList,
	"POST /watchlist":                        auth.PermWatchList,
	"POST /watchlist/{entry}/remove":         auth.PermWatchList,
	"GET /watchlist/alerts":                  auth.PermWatchList,
	"POST /watchlist/alerts/{alert}/dismiss": auth.PermWatchList,
	"GET /vetting/settings":                  auth.PermSettings,
	"POST /vetting/quarantine":               auth.PermSettings,
	"POST /vetting/checklist":                auth.PermSettings,
	// Finance: finance officers only; enrolling a payee is the case handler's.
	"GET /finance":                             auth.PermFinance,
	"POST /finance/sources":                    auth.PermFinance,
	"POST /finance/sources/{code}/deposits":    auth.PermFinance,
	"POST /finance/rates":                      auth.PermFinance,
	"POST /finance/rewards":                    auth.PermFinance,
	"GET /finance/ledger.csv":                  auth.PermFinance,
	"GET /finance/payees":                      auth.PermFinance,
	"GET /finance/payees/{code}":               auth.PermFinance,
	"POST /finance/payees/{code}/stipends":     auth.PermFinance,
	"POST /finance/stipends/{id}/end":          auth.PermFinance,
	"GET /finance/runs":                        auth.PermFinance,
	"POST /finance/runs":                       auth.PermFinance,
	"GET /finance/runs/{id}":                   auth.PermFinance,
	"GET /finance/runs/{id}/cash":              auth.PermFinance,
	"GET /finance/runs/{id}/roster.csv":        auth.PermFinance,
	"POST /finance/runs/{id}/lines/{line}":     auth.PermFinance,
	"POST /finance/runs/{id}/reconcile":        auth.PermFinance,
	"GET /finance/claims":                      auth.PermFinance,
	"POST /finance/claims":                     auth.PermFinance,
	"GET /finance/claims/{id}":                 auth.PermFinance,
	"GET /finance/claims/{id}/evidence/{file}": auth.PermFinance,
	"POST /finance/claims/{id}/approve":        auth.PermFinance,
	"POST /finance/claims/{id}/reject":         auth.PermFinance,
	"POST /finance/claims/{id}/pay":            auth.PermFinance,
	"GET /finance/enrol/{case}":                auth.PermCaseHandle,
	"POST /finance/enrol/{case}":               auth.PermCaseHandle,
	// Certificates: a case handler (who holds the case key) requests; the
	// certifying officer, who cannot read cases, does everything else.
	"GET /certs/request":      auth.PermCaseHandle,
	"POST /certs/request":     auth.PermCaseHandle,
	"GET /certs":              auth.PermCertify,
	"POST /certs/keys/rotate": auth.PermCertify,
	"GET /certs/{id}":         auth.PermCertify,
	"GET /certs/{id}/print":   auth.PermCertify,
	"POST /certs/{id}/issue":  auth.PermCertify,
	"POST /certs/{id}/revoke": auth.PermCertify,
}

func TestStaffRoutePermissionsReviewed(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	got := map[string]StaffRoute{}
	for _, rt := range e.srv.StaffRoutes() {
		got[rt.Pattern] = rt
	}
	for pattern, want := range reviewedPermissions {
		rt, ok := got[pattern]
		if !ok {
			t.Errorf("%s is no longer a staff route", pattern)
			continue
		}
		if rt.Permission != want {
			t.Errorf("%s requires %s, reviewed as %s", pattern, rt.Permission, want)
		}
	}
	if got["POST /sessions/{handle}/revoke"].Owner != "handle" {
		t.Error("revoking a session must be limited to the owner's sessions")
	}
}

var pathValue = regexp.MustCompile(`\{([a-zA-Z_]+)(\.\.\.)?\}`)

// TestAuthorizationMatrix tries every staff route as every role, on its own
// object and on another person's where the route has an owner, and with no
// session at all. The expected outcome comes from auth.Can and ownership
// alone, so a route that forgets its check, or checks the wrong thing, fails
// here; and a route registered without a known permission stops the server
// from being built at all.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{MaxFailures: 1 << 20, ClientMaxFailures: 1 << 20})
	routes := e.srv.StaffRoutes()
	if len(routes) < 8 {
		t.Fatalf("only %d staff routes registered", len(routes))
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		if !auth.KnownPermission(rt.Permission) {
			t.Fatalf("%s declares unknown permission %q", rt.Pattern, rt.Permission)
		}
		if seen[rt.Pattern] {
			t.Fatalf("%s registered twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		if rt.Owner != "" && ownerFixtures[rt.Owner] == nil {
			t.Fatalf("%s has owner %q but the matrix has no fixture for it", rt.Pattern, rt.Owner)
		}
		if rt.Owner != "" && !strings.Contains(rt.Pattern, "{"+rt.Owner+"}") {
			t.Fatalf("%s: owner %q is not a path value", rt.Pattern, rt.Owner)
		}
	}

	users := map[auth.Role]auth.Enrolment{}
	for _, r := range auth.Roles() {
		users[r] = e.account(t, "as-"+strings.ReplaceAll(string(r), "_", "-"), r)
	}
	outsider := e.account(t, "outsider", auth.RoleCaseHandler)

	request := func(rt StaffRoute, values map[string]string, c *http.Cookie) *httptest.ResponseRecorder {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = pathValue.ReplaceAllStringFunc(path, func(m string) string {
			name := pathValue.FindStringSubmatch(m)[1]
			if v, ok := values[name]; ok {
				return url.PathEscape(v)
			}
			return "0"
		})
		path = strings.TrimSuffix(path, "{$}")
		var req *http.Request
		if method == "GET" {
			req = httptest.NewRequest(method, "https://embrace.test"+path, nil)
		} else {
			// A plausible, harmless form; handlers may still refuse it as
			// incomplete (400), which is not an authorization answer.
			req = httptest.NewRequest(method, "https://embrace.test"+path, strings.NewReader("confirm=no"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}

	for _, rt := range routes {
		// No session: sent to sign in, never served.
		rec := request(rt, nil, nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
			t.Errorf("%s without a session: %d %q", rt.Pattern, rec.Code, rec.Header().Get("Location"))
		}
		for _, role := range auth.Roles() {
			owners := []string{""}
			if rt.Owner != "" {
				owners = []string{"own", "other"}
			}
			for _, whose := range owners {
				name := fmt.Sprintf("%s as %s", rt.Pattern, role)
				if whose != "" {
					name += " on " + whose
				}
				actor := users[role]
				c := e.login(t, actor, webTestPassword)
				values := map[string]string{}
				if rt.Owner != "" {
					own, others := ownerFixtures[rt.Owner](t, e, actor, outsider)
					values[rt.Owner] = own
					if whose == "other" {
						values[rt.Owner] = others
					}
				}
				rec := request(rt, values, c)
				loc := rec.Header().Get("Location")
				switch {
				case !auth.Can([]auth.Role{role}, rt.Permission):
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s: %d, want 403 (role lacks %s)", name, rec.Code, rt.Permission)
					}
				case whose == "other":
					if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
						t.Errorf("%s: %d, want 404 (another person's object)", name, rec.Code)
					}
				default:
					if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized || (rec.Code == http.StatusNotFound && whose == "own") ||
						rec.Code >= 500 || (rec.Code == http.StatusSeeOther && loc == "/login") {
						t.Errorf("%s: %d %q, want it served", name, rec.Code, loc)
					}
				}
			}
		}
	}
}

// TestStaffRouteWithoutPermissionStopsTheServer shows that registering a
// staff route with no (or an unknown) permission cannot go unnoticed.
func TestStaffRouteWithoutPermissionStopsTheServer(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	for _, perm := range []auth.Permission{"", "cases.reed"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("staff route with permission %q accepted", perm)
				}
			}()
			e.srv.staff("GET /sneaky", perm, func(http.ResponseWriter, *http.Request, *auth.Session) {})
		}()
	}
}
