package vetting_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

func p95(b *testing.B, ds []time.Duration) {
	b.Helper()
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkView: what a case's vetting page reads (checklist, notes,
// evidence list, decisions with reasons, quarantine), opened with the
// session's keys. Run: go test ./internal/vetting -run NONE -bench View
func BenchmarkView(b *testing.B) {
	s := storetest.New(b, storetest.Targets(b)[0])
	w := caseworktest.New(b, s)
	v := vetting.New(s, w.CW)
	in := w.Staff(b, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
	off := w.Staff(b, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
	ctx := context.Background()
	id := w.OpenCase(b, caseworktest.Case())
	w.Move(b, id, []string{casework.StateScreening, casework.StateVetting}, in)
	for _, k := range vetting.DefaultChecklist {
		if err := v.RecordCheck(ctx, off.Actor, off.Ring, id, k, vetting.ResultPassed, "notes of "+k); err != nil {
			b.Fatal(err)
		}
		if _, err := v.AddEvidence(ctx, off.Actor, off.Ring, id, k, bytes.NewReader(bytes.Repeat([]byte("text "), 20000))); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := v.Propose(ctx, off.Actor, off.Ring, id, vetting.DecisionVerified, "low", "reason"); err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := v.Get(ctx, off.Ring, id); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	p95(b, ds)
}

// BenchmarkAddPerson: adding a relative with screening on (two public-key
// wraps of the record's key: the watchlist team's hybrid recipient and
// escrow's) and off, to show what screening costs.
func BenchmarkAddPerson(b *testing.B) {
	for _, screened := range []bool{true, false} {
		name := "plain"
		if screened {
			name = "screened"
		}
		b.Run(name, func(b *testing.B) {
			s := storetest.New(b, storetest.Targets(b)[0])
			w := caseworktest.New(b, s)
			v := vetting.New(s, w.CW)
			if screened {
				w.CW.SetScreener(v.Screen)
			}
			in := w.Staff(b, "intake1", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, "intake")
			ctx := context.Background()
			id := w.OpenCase(b, caseworktest.Case())
			var ds []time.Duration
			i := 0
			for b.Loop() {
				i++
				t0 := time.Now()
				if _, err := w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "other", NameLatin: "Aung Ko " + strconv.Itoa(i)}); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				if i%25 == 0 {
					b.StopTimer()
					id = w.OpenCase(b, caseworktest.Case())
					b.StartTimer()
				}
			}
			p95(b, ds)
		})
	}
}

// BenchmarkSweep: a lead's sweep of 200 screening records against a
// 20-entry watch list (reported per sweep).
func BenchmarkSweep(b *testing.B) {
	s := storetest.New(b, storetest.Targets(b)[0])
	w := caseworktest.New(b, s)
	v := vetting.New(s, w.CW)
	w.CW.SetScreener(v.Screen)
	lead := w.Staff(b, "lead1", []auth.Role{auth.RoleVettingLead, auth.RoleCaseHandler}, "intake", "watchlist")
	ctx := context.Background()
	for i := range 20 {
		if _, err := v.AddEntry(ctx, lead.Actor, lead.Ring, vetting.Entry{NameLatin: "Informer Number " + strconv.Itoa(i), NRC: "12/OuKaMa(N)" + strconv.Itoa(100000+i)}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		b.StopTimer()
		for j := range 8 {
			id := w.OpenCase(b, caseworktest.Case())
			for k := range 24 {
				if _, err := w.CW.AddPerson(ctx, lead.Actor, lead.Ring, id, casework.Person{Relation: "other", NameLatin: "Kin Maung " + strconv.Itoa(j*100+k)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		if _, err := v.Sweep(ctx, lead.Actor, lead.Ring); err != nil {
			b.Fatal(err)
		}
	}
}
