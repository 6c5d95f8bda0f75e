package shelter_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// snapshot counts every row a refusal must leave alone.
func snapshot(t *testing.T, s *store.Store) [4]int {
	return [4]int{
		count(t, s, "SELECT COUNT(*) FROM shelter_houses"),
		count(t, s, "SELECT COUNT(*) FROM shelter_stays"),
		count(t, s, "SELECT COUNT(*) FROM shelter_stays WHERE status = 'staying'"),
		count(t, s, "SELECT COALESCE(SUM(beds), 0) FROM shelter_houses"),
	}
}

func TestShelterRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		hid := e.house(t, "MS-3", 1)

		// An unverified case (still in vetting) gets no place.
		unv := e.w.OpenCase(t, caseworktest.Case())
		e.w.Move(t, unv, []string{casework.StateScreening, casework.StateVetting}, e.in)
		// The handler cannot read a vetting case: give the case to them.
		if err := e.w.CW.Assign(ctx, e.vet.Actor, e.vet.Ring, unv, e.handler.P); err != nil {
			t.Fatal(err)
		}
		before, refused := snapshot(t, s), audits(t, s, "shelter.request.refused")
		_, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, unv, e.people(t, unv), 0)
		var ce *shelter.ClearanceError
		if !errors.As(err, &ce) || !errors.Is(err, vetting.ErrNotVerified) || !strings.Contains(err.Error(), "not verified") {
			t.Fatalf("unverified case: %v", err)
		}
		if snapshot(t, s) != before || audits(t, s, "shelter.request.refused") != refused+1 {
			t.Fatal("an unverified case's refusal changed something or was not audited")
		}

		// A case verified today is in quarantine.
		id, people := e.arrived(t)
		_, err = e.today.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
		var qe *vetting.QuarantineError
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), "in quarantine until "+qe.Until.Format("2006-01-02")) {
			t.Fatalf("quarantined case: %v", err)
		}
		if snapshot(t, s) != before {
			t.Fatal("a quarantined case's refusal changed something")
		}
		// Asked for later, assigned by a service whose clock says today:
		// the assignment itself checks the quarantine.
		stay, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
		if err != nil {
			t.Fatal(err)
		}
		big := e.house(t, "MS-4", 10)
		before, refused = snapshot(t, s), audits(t, s, "shelter.assign.refused")
		if err := e.today.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, big); !errors.As(err, &qe) {
			t.Fatalf("assigning a quarantined case: %v", err)
		}
		if snapshot(t, s) != before || audits(t, s, "shelter.assign.refused") != refused+1 {
			t.Fatal("a quarantine refusal changed something or was not audited")
		}

		// A full house: 1 bed, a family of 2.
		err = e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, hid)
		var cap *shelter.CapacityError
		if !errors.As(err, &cap) || err.Error() != "shelter: house MS-3 has 1 free bed; this family needs 2" {
			t.Fatalf("full house: %v", err)
		}
		if snapshot(t, s) != before || audits(t, s, "shelter.assign.refused") != refused+2 {
			t.Fatal("a capacity refusal changed something or was not audited")
		}

		// Unknown house and stay.
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown house: %v", err)
		}
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, 99999, hid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown stay: %v", err)
		}
		if err := e.sv.SetBeds(ctx, e.coord.Actor, 99999, 3); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("beds of an unknown house: %v", err)
		}
		// Check-out of a stay nobody is in.
		if err := e.sv.CheckOut(ctx, e.coord.Actor, stay); !errors.Is(err, shelter.ErrNotStaying) {
			t.Fatalf("check-out of a request: %v", err)
		}
		if err := e.sv.CheckOut(ctx, e.coord.Actor, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("check-out of an unknown stay: %v", err)
		}
		// The same people cannot ask twice; someone outside the case is refused.
		if _, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people[:1], 0); !errors.Is(err, shelter.ErrAlreadyHoused) {
			t.Fatalf("second request: %v", err)
		}
		other, otherPeople := e.arrived(t)
		for name, tc := range map[string]struct {
			people []string
			n      int
		}{
			"outsider":       {[]string{otherPeople[0], people[0]}, 0},
			"twice":          {[]string{otherPeople[0], otherPeople[0]}, 0},
			"none":           {nil, 0},
			"headcount low":  {otherPeople, 1},
			"headcount high": {otherPeople, 41},
			"headcount neg":  {otherPeople, -3},
		} {
			if _, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, other, tc.people, tc.n); !errors.Is(err, shelter.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if snapshot(t, s) != before {
			t.Fatal("bad requests changed something")
		}
		// Roles: a finance officer cannot assign, a coordinator cannot ask.
		if err := e.sv.Assign(ctx, e.finance.Actor, e.finance.Ring, stay, big); !errors.Is(err, shelter.ErrForbidden) {
			t.Fatalf("finance assigns: %v", err)
		}
		if _, err := e.sv.Request(ctx, e.coord.Actor, e.coord.Ring, other, otherPeople, 0); !errors.Is(err, shelter.ErrForbidden) {
			t.Fatalf("coordinator asks: %v", err)
		}

		// Capacity: negative or absurd refused; below occupancy refused.
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, big); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{-1, shelter.MaxBeds + 1, 1 << 40} {
			if err := e.sv.SetBeds(ctx, e.coord.Actor, big, n); !errors.Is(err, shelter.ErrInvalid) {
				t.Errorf("beds %d: %v", n, err)
			}
		}
		if _, err := e.sv.CreateHouse(ctx, e.coord.Actor, shelter.NewHouse{Code: "MS-9", Area: "Mae Sot", Beds: -2, Details: shelter.Details{Address: "x"}}); !errors.Is(err, shelter.ErrInvalid) {
			t.Errorf("negative beds: %v", err)
		}
		before, refused = snapshot(t, s), audits(t, s, "shelter.house.beds.refused")
		err = e.sv.SetBeds(ctx, e.coord.Actor, big, 1)
		var oe *shelter.OccupancyError
		if !errors.As(err, &oe) || oe.Used != 2 {
			t.Fatalf("beds below occupancy: %v", err)
		}
		if snapshot(t, s) != before || audits(t, s, "shelter.house.beds.refused") != refused+1 {
			t.Fatal("a refused capacity change changed something or was not audited")
		}
		if err := e.sv.SetBeds(ctx, e.coord.Actor, big, 2); err != nil {
			t.Fatalf("beds equal to occupancy: %v", err)
		}
		// A code in use, a bad code, no address.
		for name, h := range map[string]shelter.NewHouse{
			"dup":        {Code: "MS-3", Area: "Mae Sot", Beds: 2, Details: shelter.Details{Address: "a"}},
			"code":       {Code: "ms 3; drop", Area: "Mae Sot", Beds: 2, Details: shelter.Details{Address: "a"}},
			"no address": {Code: "MS-8", Area: "Mae Sot", Beds: 2},
			"area":       {Code: "MS-8", Area: "", Beds: 2, Details: shelter.Details{Address: "a"}},
		} {
			if _, err := e.sv.CreateHouse(ctx, e.coord.Actor, h); err == nil {
				t.Errorf("%s: created", name)
			}
		}
	})
}

// TestShelterConcurrentAssign: five families of two race for a house of
// five beds; exactly two win and the others are told it is full.
func TestShelterConcurrentAssign(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		hid := e.house(t, "MS-1", 5)
		var stays []int64
		for range 5 {
			id, people := e.arrived(t)
			st, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
			if err != nil {
				t.Fatal(err)
			}
			stays = append(stays, st)
		}
		errs := make([]error, len(stays))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, st := range stays {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, st, hid)
			}()
		}
		close(start)
		wg.Wait()
		won, full := 0, 0
		for _, err := range errs {
			var ce *shelter.CapacityError
			switch {
			case err == nil:
				won++
			case errors.As(err, &ce):
				full++
			default:
				t.Errorf("assign: %v", err)
			}
		}
		if won != 2 || full != 3 {
			t.Fatalf("%d won, %d refused as full", won, full)
		}
		if o := occupancy(t, e.sv, "MS-1"); o.Used != 4 || o.Free() != 1 {
			t.Fatalf("occupancy %+v", o)
		}
	})
}

var _ = auth.PermShelter

// TestShelterConcurrentRequests: the same family asked for twice at once
// gets one request; the other is told they already have one.
func TestShelterConcurrentRequests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		id, people := e.arrived(t)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
			}()
		}
		close(start)
		wg.Wait()
		ok, dup := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, shelter.ErrAlreadyHoused):
				dup++
			default:
				t.Errorf("request: %v", err)
			}
		}
		if ok != 1 || dup != 3 || count(t, s, "SELECT COUNT(*) FROM shelter_stays") != 1 {
			t.Fatalf("%d requests made, %d refused", ok, dup)
		}
	})
}

// TestShelterWithdraw: a handler withdraws a waiting request and may ask
// again; the shelter team declines one; neither touches a stay that has a
// house, nor another case's request.
func TestShelterWithdraw(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		hid := e.house(t, "MS-5", 10)
		id, people := e.arrived(t)
		other, otherPeople := e.arrived(t)
		stay, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sv.Withdraw(ctx, e.handler.Actor, e.handler.Ring, other, stay); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("withdraw through another case: %v", err)
		}
		if err := e.sv.Withdraw(ctx, e.finance.Actor, e.finance.Ring, id, stay); !errors.Is(err, shelter.ErrForbidden) {
			t.Fatalf("finance withdraws: %v", err)
		}
		if err := e.sv.Withdraw(ctx, e.handler.Actor, e.handler.Ring, id, stay); err != nil {
			t.Fatal(err)
		}
		if err := e.sv.Withdraw(ctx, e.handler.Actor, e.handler.Ring, id, stay); !errors.Is(err, shelter.ErrNotRequested) {
			t.Fatalf("second withdrawal: %v", err)
		}
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, hid); !errors.Is(err, shelter.ErrNotRequested) {
			t.Fatalf("assigning a withdrawn request: %v", err)
		}
		again, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
		if err != nil {
			t.Fatalf("asking again after withdrawing: %v", err)
		}
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, again, hid); err != nil {
			t.Fatal(err)
		}
		if err := e.sv.Decline(ctx, e.coord.Actor, again); !errors.Is(err, shelter.ErrNotRequested) {
			t.Fatalf("declining a stay: %v", err)
		}
		st2, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, other, otherPeople, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sv.Decline(ctx, e.handler.Actor, st2); !errors.Is(err, shelter.ErrForbidden) {
			t.Fatalf("a handler declines: %v", err)
		}
		if err := e.sv.Decline(ctx, e.coord.Actor, st2); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM shelter_stays WHERE status = 'withdrawn'"); n != 2 {
			t.Fatalf("%d withdrawn", n)
		}
		if audits(t, s, "shelter.request.withdraw") != 1 || audits(t, s, "shelter.request.decline") != 1 {
			t.Fatal("withdrawal and decline not audited")
		}
	})
}
