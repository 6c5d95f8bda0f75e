package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/keys"
	"embrace/internal/store/storetest"
)

// gzipSize is the compressed size of b.
func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

// TestPassagePageWeight keeps the guide's page tiny (under the public
// intake pages' 15 KB, compressed, stylesheet included) and the
// coordinator's pages under the staff budget of 60 KB.
func TestPassagePageWeight(t *testing.T) {
	t.Parallel()
	pe := newPassageEnv(t, storetest.New(t, storetest.Targets(t)[0]))
	links := pe.plan(t)
	css := gzipSize(pe.get(t, "/static/style.css").Body.Bytes())
	guide := gzipSize(pe.get(t, "/g/"+links[0]).Body.Bytes())
	if guide+css > 15<<10 {
		t.Errorf("guide page: %d bytes + %d CSS compressed", guide, css)
	}
	plans, _ := pe.srv.cfg.Passage.List(context.Background(), 1)
	for _, p := range []string{"/passage", "/passage/plans/" + plans[0].ID, "/passage/new/" + strconv.FormatInt(pe.caseID, 10)} {
		if n := gzipSize(pe.get(t, p, pe.coord).Body.Bytes()); n+css > 60<<10 {
			t.Errorf("%s: %d bytes compressed", p, n)
		}
	}
	t.Logf("guide page %d B, stylesheet %d B (gzip)", guide, css)
}

// BenchmarkPassageDashboard measures GET /passage (settle, alerts with one
// leg opened per route, lists) with routes under way on many cases, the
// passage team's key hybrid post-quantum as init makes it.
func BenchmarkPassageDashboard(b *testing.B) {
	st := storetest.New(b, storetest.Targets(b)[0])
	pe := newPassageEnv(b, st)
	ctx := context.Background()
	const routes = 40
	cw := pe.srv.cfg.Cases
	team, _ := keys.LookupPrincipal(ctx, st.DB(), keys.KindTeam, casework.TeamPassage)
	if !team.Recipient.PostQuantum() {
		b.Log("passage team key is not hybrid")
	}
	for i := 1; i < routes; i++ {
		id, err := cw.OpenAs(ctx, casework.Actor{Name: "bench"}, caseworktest.Case(), team)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Writer().Exec("UPDATE cases SET state = $1, team = $2 WHERE id = $3", casework.StateInPassage, casework.TeamPassage, id); err != nil {
			b.Fatal(err)
		}
		c, err := cw.Get(ctx, pe.sessionOf(b, pe.coord).Keyring(), id)
		if err != nil {
			b.Fatal(err)
		}
		f := pe.planForm()
		f["traveller"] = []string{c.People[0].ID}
		// The first leg's window ended this morning: every route is overdue.
		f.Set("start_1", "2025-06-01T06:00")
		f.Set("end_1", "2025-06-01T07:00")
		if rec := pe.post(b, "/passage/new/"+strconv.FormatInt(id, 10), f, pe.coord); rec.Code != http.StatusCreated {
			b.Fatalf("plan %d: %d", i, rec.Code)
		}
	}
	pe.plan(b)
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "https://embrace.test/passage", nil)
		req.AddCookie(pe.coord)
		rec := httptest.NewRecorder()
		start := time.Now()
		pe.h.ServeHTTP(rec, req)
		ds = append(ds, time.Since(start))
		if rec.Code != 200 {
			b.Fatalf("dashboard: %d", rec.Code)
		}
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
}
