package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"embrace/internal/stats"
)

// runStats is `embrace stats`: the deployment's figures from green data.
// With -public it prints exactly what the public page publishes (disclosure
// control, publication delay); without it, exact counts for staff.
func runStats(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "stats", "stats -data DIR [-db URL] [-format csv|json] [-public] [-breakdown B[,B]] [-from YYYY-MM] [-to YYYY-MM] [-threshold N] [-round N] [-delay DAYS]")
	var db dbFlags
	db.register(fs, "")
	format := fs.String("format", "csv", "output `format`: csv or json")
	public := fs.Bool("public", false, "print what may be published: small counts hidden, recent months held back")
	breakdowns := fs.String("breakdown", "", "comma-separated `breakdowns` (default: every one): "+strings.Join(append(stats.PublicBreakdowns(), stats.ByStage), ", "))
	from := fs.String("from", "", "first `month` counted (YYYY-MM)")
	to := fs.String("to", "", "last `month` counted (YYYY-MM; not with -public, which stops at the publication delay)")
	threshold := fs.Int("threshold", stats.DefaultThreshold, "with -public: hide counts below `N` (at least 3)")
	round := fs.Int("round", 0, "with -public: round published counts to a multiple of `N`")
	delay := fs.Int("delay", int(stats.DefaultDelay/(24*time.Hour)), "with -public: publish a month this many `days` after it ends")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "stats", "-data is required")
	}
	if *format != "csv" && *format != "json" {
		return usageError(std, "stats", "-format must be csv or json")
	}
	var want []string
	if *breakdowns != "" {
		want = strings.Split(*breakdowns, ",")
	}
	_, s, err := db.open(ctx)
	if err != nil {
		return fail(std, "stats", err)
	}
	defer s.Close()
	data, err := stats.Load(ctx, s.DB())
	if err != nil {
		return fail(std, "stats", err)
	}
	now := time.Now()
	var tables []stats.Table
	var doc any
	if *public {
		if *to != "" {
			return usageError(std, "stats", "-to does not go with -public: the publication delay decides the last month")
		}
		pub, err := data.Public(want, *from, stats.Protection{Threshold: *threshold, Round: *round}, time.Duration(*delay)*24*time.Hour, now)
		if err != nil {
			return usageError(std, "stats", "%v", err)
		}
		tables, doc = pub.Tables, pub.JSON()
	} else {
		if len(want) == 0 {
			want = append(stats.PublicBreakdowns(), stats.ByStage)
		}
		var out []map[string]any
		for _, b := range want {
			t, err := data.Exact(stats.Query{Breakdown: b, From: *from, To: *to}, now)
			if err != nil {
				return usageError(std, "stats", "%v", err)
			}
			tables = append(tables, t)
			out = append(out, t.JSON())
		}
		doc = map[string]any{"tables": out}
	}
	if *format == "json" {
		enc := json.NewEncoder(std.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fail(std, "stats", err)
		}
		return 0
	}
	if err := stats.WriteCSV(std.Out, tables); err != nil {
		return fail(std, "stats", fmt.Errorf("write: %w", err))
	}
	return 0
}
