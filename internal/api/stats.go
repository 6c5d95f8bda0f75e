package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"embrace/internal/auth"
	"embrace/internal/stats"
)

// statsRoutes: the public figures (disclosure-controlled, anyone may read
// them) and the staff figures (exact counts, analysts and administrators).
func (a *API) statsRoutes() {
	if a.cfg.Store != nil {
		a.stats = stats.NewCache(a.cfg.Store.DB(), time.Minute)
	}
	a.add("GET", "/stats/public", a.publicStats)
	a.add("GET", "/stats", a.bearer(auth.PermStats, a.staffStats))
}

// statsQuery reads breakdown (comma-separated), from and to.
func statsQuery(r *http.Request) (want []string, from, to string) {
	q := r.URL.Query()
	if b := q.Get("breakdown"); b != "" {
		want = strings.Split(b, ",")
	}
	return want, q.Get("from"), q.Get("to")
}

// wantsCSV reports whether the caller asked for CSV (?format=csv or an
// Accept header naming text/csv).
func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// statsData returns the (cached) green facts; without a store it answers
// 503 and returns nil.
func (a *API) statsData(w http.ResponseWriter, r *http.Request) *stats.Data {
	if a.stats == nil {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "Statistics are not available on this server.")
		return nil
	}
	d, err := a.stats.Data(r.Context())
	if err != nil {
		a.statsError(w, err)
		return nil
	}
	return d
}

func (a *API) statsError(w http.ResponseWriter, err error) {
	if errors.Is(err, stats.ErrInvalid) {
		WriteError(w, http.StatusBadRequest, "invalid", strings.TrimPrefix(err.Error(), "stats: "))
		return
	}
	a.log.Error("stats", "err", err)
	WriteError(w, http.StatusInternalServerError, "internal", "The statistics could not be computed. Try again later.")
}

func writeCSV(w http.ResponseWriter, tables []stats.Table) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="embrace-statistics.csv"`)
	stats.WriteCSV(w, tables)
}

// publicStats answers the protected public tables (JSON, or CSV).
func (a *API) publicStats(w http.ResponseWriter, r *http.Request) {
	want, from, to := statsQuery(r)
	if to != "" {
		WriteError(w, http.StatusBadRequest, "invalid", "to is not accepted here: the publication delay decides the last month published")
		return
	}
	d := a.statsData(w, r)
	if d == nil {
		return
	}
	pub, err := d.Public(want, from, stats.Protection{}, stats.DefaultDelay, time.Now())
	if err != nil {
		a.statsError(w, err)
		return
	}
	if wantsCSV(r) {
		writeCSV(w, pub.Tables)
		return
	}
	writeJSON(w, http.StatusOK, pub.JSON())
}

// staffStats answers exact tables for staff.
func (a *API) staffStats(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	want, from, to := statsQuery(r)
	if len(want) == 0 {
		want = append(stats.PublicBreakdowns(), stats.ByStage)
	}
	d := a.statsData(w, r)
	if d == nil {
		return
	}
	var tables []stats.Table
	for _, b := range want {
		t, err := d.Exact(stats.Query{Breakdown: b, From: from, To: to}, time.Now())
		if err != nil {
			a.statsError(w, err)
			return
		}
		tables = append(tables, t)
	}
	if wantsCSV(r) {
		writeCSV(w, tables)
		return
	}
	out := make([]map[string]any, len(tables))
	for i, t := range tables {
		out[i] = t.JSON()
	}
	stages := []map[string]any{}
	for _, st := range d.StageTimes() {
		stages = append(stages, map[string]any{"stage": st.Stage, "moves": st.Moves, "median_days": st.Median, "p90_days": st.P90, "longest_days": st.Longest})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tables": out, "stage_times": stages})
}
