package stats

import (
	"errors"
	"testing"
	"time"
)

// FuzzQuery: any breakdown and months from outside give a table or an
// ErrInvalid refusal, never a panic or another error.
func FuzzQuery(f *testing.F) {
	for _, s := range [][3]string{{"month", "2021-01", "2022-12"}, {"stage", "", ""}, {"township", "x", ""}, {"region", "2021-13", "1999-01"}, {"equipped", "2022-05", "2021-01"}} {
		f.Add(s[0], s[1], s[2])
	}
	d := &Data{facts: []fact{{month: "2021-07", service: "army", band: "nco", region: "MMR013", state: "verified", n: 40}, {month: "2021-08", service: "police", band: "enlisted", state: "resettled", n: 3}}, First: "2021-07", Last: "2021-08"}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, breakdown, from, to string) {
		if _, err := d.Exact(Query{Breakdown: breakdown, From: from, To: to}, now); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("exact: %v", err)
		}
		if _, err := d.Public([]string{breakdown}, from, Protection{}, DefaultDelay, now); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("public: %v", err)
		}
	})
}
