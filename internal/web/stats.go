package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"embrace/internal/auth"
	"embrace/internal/finance"
	"embrace/internal/myanmar"
	"embrace/internal/stats"
)

// statsRoutes: the public statistics page (disclosure-controlled) and the
// staff dashboard (exact counts). Both read green data only.
func (s *Server) statsRoutes() {
	s.stats = stats.NewCache(s.cfg.Store.DB(), time.Minute)
	s.handle("GET /stats", s.publicStatsPage)
	s.staff("GET /stats/dashboard", auth.PermStats, s.statsDashboard)
}

// statsTable is a table as the page shows it.
type statsTable struct {
	Title   string // message id
	Rows    []statsRow
	Columns []string // message ids
	Total   *statsRow
	Chart   template.HTML
	// Groups puts the key of the soldiers/police/unknown colours under
	// the chart; Totals adds the total column.
	Groups, Totals bool
}

type statsRow struct {
	// Label is shown as it is; LabelID, when set, is a message id instead.
	Label, LabelID string
	Cells          []string
	Total          string
}

type statsPage struct {
	Nav     *staffNav
	Public  bool
	Through string
	Tables  []statsTable
	Error   string
	// Stages is the time spent in each stage, and Payments the stipends
	// and rewards paid (the dashboard only).
	Stages   []stats.StageTime
	Payments *statsTable
}

// rowLabel names a table row in the page's language: a text, or a
// message id.
func rowLabel(breakdown, row, lang string) (text, id string) {
	switch breakdown {
	case stats.ByRegion:
		if r, ok := myanmar.RegionByCode(row); ok {
			if lang == langMy {
				return r.Burmese, ""
			}
			return r.English, ""
		}
		return "", "stats.row.unknown"
	case stats.ByMonth:
		if lang == langMy {
			return myanmar.BurmeseDigits(row), ""
		}
		return row, ""
	}
	return "", "stats.row." + row
}

func (s *Server) statsView(t stats.Table, lang string) statsTable {
	v := statsTable{Title: "stats.table." + t.Breakdown, Totals: true}
	for _, c := range t.Columns {
		v.Columns = append(v.Columns, "stats.col."+c)
	}
	num := func(c stats.Count) string {
		if lang == langMy && c.State == stats.Shown {
			return myanmar.BurmeseDigits(c.String())
		}
		return c.String()
	}
	for i, r := range t.Rows {
		text, id := rowLabel(t.Breakdown, r, lang)
		row := statsRow{Label: text, LabelID: id, Total: num(t.RowTotals[i])}
		for _, c := range t.Cells[i] {
			row.Cells = append(row.Cells, num(c))
		}
		v.Rows = append(v.Rows, row)
	}
	if t.ColTotals != nil {
		tot := statsRow{LabelID: "stats.total", Total: num(t.Total)}
		for _, c := range t.ColTotals {
			tot.Cells = append(tot.Cells, num(c))
		}
		v.Total = &tot
	}
	if t.Breakdown == stats.ByMonth {
		v.Chart, v.Groups = monthChart(t), true
	}
	return v
}

// stageView is the table of time spent in each stage, with its chart:
// for every stage, a bar to the median stay and a lighter one on to the
// 90th percentile.
func stageView(sts []stats.StageTime, lang string) statsTable {
	v := statsTable{Title: "stats.table.stage_time",
		Columns: []string{"stats.col.moves", "stats.col.median_days", "stats.col.p90_days", "stats.col.longest_days"}}
	num := func(n int) string {
		if lang == langMy {
			return myanmar.BurmeseDigits(fmt.Sprint(n))
		}
		return fmt.Sprint(n)
	}
	const rowH, labelW, barW = 14.0, 0.0, 300.0
	longest := 1
	for _, st := range sts {
		longest = max(longest, st.P90)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">`, barW+40, float64(len(sts))*rowH)
	for i, st := range sts {
		row := statsRow{LabelID: "stats.row." + st.Stage, Cells: []string{num(st.Moves), "–", "–", "–"}}
		if st.Moves > 0 {
			row.Cells = []string{num(st.Moves), num(st.Median), num(st.P90), num(st.Longest)}
			y := float64(i) * rowH
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="10" fill="#b8d4cd"/>`, labelW, y+2, float64(st.P90)/float64(longest)*barW)
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="10" fill="#2f6f62"/>`, labelW, y+2, float64(st.Median)/float64(longest)*barW)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="9">%s</text>`, float64(st.P90)/float64(longest)*barW+3, y+11, template.HTMLEscapeString(num(st.Median)+" / "+num(st.P90)))
		}
		v.Rows = append(v.Rows, row)
	}
	b.WriteString(`</svg>`)
	v.Chart = template.HTML(b.String())
	return v
}

// monthChart draws the months as stacked bars (military, police, unknown)
// in inline SVG; hidden counts are drawn as nothing. The data table beside
// it carries the numbers.
func monthChart(t stats.Table) template.HTML {
	const h, barW, gap = 160.0, 8.0, 2.0
	maxV := 1
	for i := range t.Rows {
		sum := 0
		for _, c := range t.Cells[i] {
			if c.State == stats.Shown {
				sum += c.Value
			}
		}
		maxV = max(maxV, sum)
	}
	colors := []string{"#2f6f62", "#b9770e", "#7f8c8d"}
	w := float64(len(t.Rows))*(barW+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">`, w, h+14)
	for i := range t.Rows {
		x := gap + float64(i)*(barW+gap)
		y := h
		for j, c := range t.Cells[i] {
			if c.State != stats.Shown || c.Value == 0 {
				continue
			}
			bh := float64(c.Value) / float64(maxV) * h
			y -= bh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"/>`, x, y, barW, bh, colors[j%len(colors)])
		}
		if strings.HasSuffix(t.Rows[i], "-01") {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="9">%s</text>`, x, h+12, template.HTMLEscapeString(t.Rows[i][:4]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (s *Server) renderStats(w http.ResponseWriter, r *http.Request, p statsPage, tables []stats.Table, err error) {
	lang := pageLang(r)
	status := http.StatusOK
	if errors.Is(err, stats.ErrInvalid) {
		status, p.Error = http.StatusBadRequest, "stats.bad"
	} else if err != nil {
		s.log.Error("stats", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	for _, t := range tables {
		p.Tables = append(p.Tables, s.statsView(t, lang))
	}
	if p.Stages != nil {
		p.Tables = append(p.Tables, stageView(p.Stages, lang))
	}
	if p.Payments != nil {
		p.Tables = append(p.Tables, *p.Payments)
	}
	if lang == langMy {
		p.Through = myanmar.BurmeseDigits(p.Through)
	}
	s.render(w, r, status, "stats", p)
}

// publicStatsPage shows what the network publishes: disclosure-controlled
// tables, the months of the publication delay held back.
func (s *Server) publicStatsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.stats.Data(r.Context())
	if err != nil {
		s.renderStats(w, r, statsPage{Public: true}, nil, err)
		return
	}
	pub, err := d.Public(nil, r.URL.Query().Get("from"), stats.Protection{}, stats.DefaultDelay, time.Now())
	s.renderStats(w, r, statsPage{Public: true, Through: pub.Through}, pub.Tables, err)
}

// statsDashboard shows staff the exact counts, the case funnel included.
func (s *Server) statsDashboard(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	nav := navFor(sess)
	d, err := s.stats.Data(r.Context())
	if err != nil {
		s.renderStats(w, r, statsPage{Nav: &nav}, nil, err)
		return
	}
	q := r.URL.Query()
	var tables []stats.Table
	for _, b := range append(stats.PublicBreakdowns(), stats.ByStage) {
		t, err := d.Exact(stats.Query{Breakdown: b, From: q.Get("from"), To: q.Get("to")}, time.Now())
		if err != nil {
			s.renderStats(w, r, statsPage{Nav: &nav}, nil, err)
			return
		}
		tables = append(tables, t)
	}
	p := statsPage{Nav: &nav, Stages: d.StageTimes()}
	if p.Payments, err = s.paymentTotals(r, time.Now()); err != nil {
		s.renderStats(w, r, statsPage{Nav: &nav}, nil, err)
		return
	}
	s.renderStats(w, r, p, tables, nil)
}

// paymentMonths is how many months of stipends and rewards the dashboard
// shows, up to the current one.
const paymentMonths = 12

// paymentTotals is the table of stipends and rewards paid in the last
// paymentMonths months, per month and currency: sums and counts only, no
// payee. It is nil when nothing was paid.
func (s *Server) paymentTotals(r *http.Request, now time.Time) (*statsTable, error) {
	to := now.UTC().Format("2006-01")
	from := now.UTC().AddDate(0, 1-paymentMonths, 0).Format("2006-01")
	totals, err := finance.Totals(r.Context(), s.cfg.Store.DB(), from, to)
	if err != nil || len(totals) == 0 {
		return nil, err
	}
	lang := pageLang(r)
	v := &statsTable{Title: "stats.table.payments",
		Columns: []string{"stats.col.stipends", "stats.col.stipend_count", "stats.col.rewards", "stats.col.reward_count"}}
	for _, t := range totals {
		cells := []string{amount(t.Currency, t.StipendsPaid), fmt.Sprint(t.StipendsCount), amount(t.Currency, t.RewardsPaid), fmt.Sprint(t.RewardsCount)}
		label := t.Month + " " + t.Currency
		if lang == langMy {
			label = myanmar.BurmeseDigits(label)
			for i := range cells {
				cells[i] = myanmar.BurmeseDigits(cells[i])
			}
		}
		v.Rows = append(v.Rows, statsRow{Label: label, Cells: cells})
	}
	return v, nil
}

// amount writes minor units of currency as the finance pages do ("–" for
// none).
func amount(currency string, minor int64) string {
	if minor == 0 {
		return "–"
	}
	m, err := finance.NewMoney(currency, minor, false)
	if err != nil {
		return "?"
	}
	return m.String()
}
