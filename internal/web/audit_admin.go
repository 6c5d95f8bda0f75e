package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/auth"
)

// auditRow is one log entry as the administrators' page shows it. Entries
// never hold red data (audit.Entry), so showing them reveals none.
type auditRow struct {
	Index                 int64
	Time                  string
	Actor, Action, Object string
	Detail                string
}

type auditPage struct {
	Nav                   staffNav
	Actor, Action, Object string
	Rows                  []auditRow
	// Older is the query of the next (older) page, empty on the last.
	Older string
	// Checkpoint and Verifier are for copying off the server: the latest
	// signed tree head and the key that checks it.
	Checkpoint, Verifier string
	// Verified is set after a verification run: Intact, with Summary, or
	// not, with Problem.
	Verified bool
	Intact   bool
	Summary  string
	Problem  string
	Error    string
}

// auditFilterOK accepts what an audit field can hold: printable ASCII
// without spaces, at most 128 bytes.
func auditFilterOK(v string) bool {
	if len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

// auditLogPage lists the audit log newest first, filtered by actor, action
// or object, a page at a time.
func (s *Server) auditLogPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.renderAudit(w, r, sess, nil)
}

// auditVerifySubmit checks the whole log (audit.Verify) and shows the
// result above the listing.
func (s *Server) auditVerifySubmit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	rep, err := audit.Verify(r.Context(), s.cfg.Store.DB(), nil)
	res := &verifyResult{}
	var te *audit.TamperError
	switch {
	case err == nil:
		res.intact, res.summary = true, rep.String()
	case errors.As(err, &te):
		res.problem = te.Error()
	default:
		s.log.Error("audit verify", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	if err := s.cfg.Auth.Audit(r.Context(), sess.Actor(), "audit.verify", "", map[string]string{"intact": strconv.FormatBool(res.intact)}); err != nil {
		s.log.Error("audit verify", "err", err)
	}
	s.renderAudit(w, r, sess, res)
}

type verifyResult struct {
	intact           bool
	summary, problem string
}

func (s *Server) renderAudit(w http.ResponseWriter, r *http.Request, sess *auth.Session, res *verifyResult) {
	q := r.URL.Query()
	p := auditPage{Nav: navFor(sess), Actor: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object")}
	var before int64
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			p.Error = "audit.bad"
		}
		before = n
	}
	if !auditFilterOK(p.Actor) || !auditFilterOK(p.Action) || !auditFilterOK(p.Object) {
		p.Error = "audit.bad"
	}
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
		p.Actor, p.Action, p.Object, before = "", "", "", 0
	}
	if res != nil {
		p.Verified, p.Intact, p.Summary, p.Problem = true, res.intact, res.summary, res.problem
	}
	const pageSize = 100
	recs, err := audit.List(r.Context(), s.cfg.Store.DB(), audit.ListFilter{Actor: p.Actor, Action: p.Action, Object: p.Object, Before: before, Limit: pageSize})
	if err != nil {
		s.log.Error("audit list", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	lang := pageLang(r)
	for _, rec := range recs {
		row := auditRow{Index: rec.Index, Time: localTime(lang, rec.Time.UTC()), Actor: rec.Actor, Action: rec.Action, Object: rec.Object}
		row.Detail = detailText(rec.Detail)
		p.Rows = append(p.Rows, row)
	}
	if len(recs) == pageSize {
		older := q
		older.Set("before", strconv.FormatInt(recs[len(recs)-1].Index, 10))
		older.Del("lang")
		p.Older = older.Encode()
	}
	if cp, err := audit.Checkpoint(r.Context(), s.cfg.Store.DB()); err == nil {
		p.Checkpoint = string(cp)
	}
	if vk, err := audit.VerifierKey(r.Context(), s.cfg.Store.DB()); err == nil {
		p.Verifier = vk
	}
	s.render(w, r, status, "audit_log", p)
}

// detailText shows an entry's details as "key=value" pairs in key order.
func detailText(d map[string]string) string {
	keys := slices.Sorted(maps.Keys(d))
	var out []byte
	for i, k := range keys {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, k...)
		out = append(out, '=')
		out = append(out, d[k]...)
	}
	return string(out)
}
