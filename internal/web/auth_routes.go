package web

import (
	"errors"
	"net/http"
	"strings"

	"embrace/internal/auth"
)

// StaffRoute is a page or action that needs a signed-in person, with the
// permission it requires. Every one is registered through Server.staff, so
// the list is complete and a test can try each against every role.
type StaffRoute struct {
	// Pattern is the ServeMux pattern, "METHOD /path".
	Pattern string
	// Permission is what the person's roles must hold (auth.Can).
	Permission auth.Permission
	// Owner, when set, names the path value that identifies an object
	// the person must own (for example a session handle); the handler
	// answers 404 for anyone else's.
	Owner string
	// Limit, when set, caps the request body instead of the default
	// (routes that take uploads).
	Limit int64
}

// StaffHandler serves a staff route for the session the request carries.
// The session's keyring holds the keys the person may use; never keep it
// beyond the request.
type StaffHandler func(w http.ResponseWriter, r *http.Request, sess *auth.Session)

// StaffOption adjusts a staff route as it is registered.
type StaffOption func(*StaffRoute)

// BodyLimit lets a route take a request body of up to n bytes.
func BodyLimit(n int64) StaffOption { return func(rt *StaffRoute) { rt.Limit = n } }

// Owned marks a route whose path value name identifies an object that
// must belong to the signed-in person.
func Owned(name string) StaffOption { return func(rt *StaffRoute) { rt.Owner = name } }

// authRoutes registers sign-in, sign-out and the staff pages of the auth
// capability. Without an auth service there are none.
func (s *Server) authRoutes() {
	if s.cfg.Auth == nil {
		return
	}
	s.handle("GET /login", s.loginPage)
	s.handle("POST /login", s.loginSubmit)
	s.staff("POST /logout", auth.PermSelf, s.logout)
	s.staff("GET /workspace", auth.PermSelf, s.workspace)
	s.staff("GET /sessions", auth.PermSelf, s.sessionsPage)
	s.staff("POST /sessions/{handle}/revoke", auth.PermSelf, s.revokeSession, Owned("handle"))
	s.staff("GET /account/duress", auth.PermSelf, s.duressPage)
	s.staff("POST /account/duress", auth.PermSelf, s.duressSubmit)
	s.staff("GET /admin/alerts", auth.PermAlerts, s.alertsPage)
	s.staff("POST /admin/lockdown", auth.PermLockdown, s.lockdownSubmit)
	s.staff("GET /admin/audit", auth.PermAudit, s.auditLogPage)
	s.staff("POST /admin/audit/verify", auth.PermAudit, s.auditVerifySubmit)
}

// staff registers a route that needs a signed-in person holding perm. The
// wrapper, in this order: loads the session from the cookie (none, or an
// ended one: 303 to /login); refuses a person whose roles lack perm (403,
// audited); sends a duress session away from anything not DuressSafe (303
// to its empty workspace); then runs h. A route without a known permission
// is a programming error and stops the server from starting.
func (s *Server) staff(pattern string, perm auth.Permission, h StaffHandler, opts ...StaffOption) {
	if !auth.KnownPermission(perm) {
		panic("web: staff route " + pattern + " declares no known permission")
	}
	rt := StaffRoute{Pattern: pattern, Permission: perm}
	for _, o := range opts {
		o(&rt)
	}
	s.cfg.staff = append(s.cfg.staff, rt)
	limit := s.cfg.MaxBody
	if rt.Limit > 0 {
		limit = rt.Limit
	}
	s.handleLimit(pattern, limit, func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Auth == nil {
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		sess, err := s.currentSession(r)
		if errors.Is(err, auth.ErrNoSession) {
			s.clearSessionCookie(w, r)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.log.Error("load session", "route", pattern, "err", err)
			s.renderError(w, r, http.StatusInternalServerError, "error.internal")
			return
		}
		if !sess.Can(perm) {
			s.cfg.Auth.AuditDenied(r.Context(), sess, perm, pattern)
			s.renderError(w, r, http.StatusForbidden, "auth.error.forbidden")
			return
		}
		if sess.Duress && !auth.DuressSafe(perm) {
			http.Redirect(w, r, "/workspace", http.StatusSeeOther)
			return
		}
		h(w, r, sess)
	})
}

// StaffRoutes lists the staff routes registered, in order.
func (s *Server) StaffRoutes() []StaffRoute {
	return append([]StaffRoute(nil), s.cfg.staff...)
}

// currentSession loads the session named by the request's cookie.
func (s *Server) currentSession(r *http.Request) (*auth.Session, error) {
	mode, ok := cookieModeOf(r)
	if !ok {
		return nil, auth.ErrNoSession
	}
	c, err := r.Cookie(mode.name)
	if err != nil {
		return nil, auth.ErrNoSession
	}
	return s.cfg.Auth.Authenticate(r.Context(), c.Value, auth.KindWeb)
}

// staffNav is the navigation of staff pages.
// staffNav is what the shared navigation of signed-in pages needs: which
// links the person's roles make useful.
type staffNav struct {
	Username  string
	Admin     bool // alerts and lockdown
	Audit     bool // the audit log
	Cases     bool // case lists and pages
	Inbox     bool // the intake inbox
	Stats     bool // the statistics dashboard
	Shelter   bool // safe houses and requests for a place
	Passage   bool // routes and guides' check-ins
	WatchList bool // watch-list alerts and the watch list (vetting leads)
	Finance   bool // stipends, rewards, runs and the ledger
	Certs     bool // membership certificates
}

// navFor is the navigation a session's permissions open (one line per
// area).
func navFor(sess *auth.Session) staffNav {
	return staffNav{
		Username:  sess.Username,
		Admin:     sess.Can(auth.PermAlerts),
		Audit:     sess.Can(auth.PermAudit),
		Cases:     sess.Can(auth.PermCaseRead),
		Inbox:     sess.Can(auth.PermIntakeQueue),
		Stats:     sess.Can(auth.PermStats),
		Shelter:   sess.Can(auth.PermShelter),
		Passage:   sess.Can(auth.PermPassagePlan),
		WatchList: sess.Can(auth.PermWatchList),
		Finance:   sess.Can(auth.PermFinance),
		Certs:     sess.Can(auth.PermCertify),
	}
}

// pageLang is the language a page is rendered in, read without setting
// the language cookie (render sets it).
func pageLang(r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q == langMy || q == langEn {
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langMy || c.Value == langEn) {
		return c.Value
	}
	return langMy
}

// localTime shows a time (UTC, to the minute) in the reader's digits.
func localTime(lang string, t interface{ Format(string) string }) string {
	s := t.Format("2006-01-02 15:04") + " UTC"
	if lang != langMy {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '၀' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}
