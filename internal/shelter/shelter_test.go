package shelter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/keys"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// env is a deployment with the staff a stay involves and a shelter service
// whose clock is past every quarantine (sv) and one at today (today).
type env struct {
	s                             *store.Store
	w                             *caseworktest.World
	sv, today                     *shelter.Service
	in, vet, handler, pass, coord caseworktest.Staff
	finance                       caseworktest.Staff
}

func newEnv(t *testing.T, s *store.Store) *env {
	w := caseworktest.New(t, s)
	later := func() time.Time { return time.Now().AddDate(0, 0, vetting.DefaultQuarantineDays+1) }
	return &env{
		s: s, w: w,
		sv:      shelter.New(s, w.CW, later),
		today:   shelter.New(s, w.CW, nil),
		in:      w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake"),
		vet:     w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting"),
		handler: w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework"),
		pass:    w.Staff(t, "passage1", []auth.Role{auth.RolePassageCoordinator}, "passage"),
		coord:   w.Staff(t, "shelter1", []auth.Role{auth.RoleShelterCoordinator}, "shelter"),
		finance: w.Staff(t, "finance1", []auth.Role{auth.RoleFinanceOfficer}, "finance"),
	}
}

// arrived opens a case (defector and spouse), moves it to arrived through
// vetting and passage, and returns its id and people.
func (e *env) arrived(t *testing.T) (int64, []string) {
	t.Helper()
	id := e.w.OpenCase(t, caseworktest.Case())
	e.w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified,
		casework.StateInPassage, casework.StateArrived}, e.in, e.vet, e.handler, e.pass)
	return id, e.people(t, id)
}

func (e *env) people(t *testing.T, id int64) []string {
	t.Helper()
	c, err := e.w.CW.Get(context.Background(), e.handler.Ring, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range c.People {
		out = append(out, p.ID)
	}
	return out
}

func (e *env) house(t *testing.T, code string, beds int) int64 {
	t.Helper()
	id, err := e.sv.CreateHouse(context.Background(), e.coord.Actor, shelter.NewHouse{Code: code, Area: "Mae Sot", Beds: beds,
		Details: shelter.Details{Address: "12 Example Soi, Mae Sot", Contact: "Ko Example", Phone: "+66 80 000 0000", Notes: "back gate"}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, s *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func audits(t *testing.T, s *store.Store, action string) int {
	return count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = $1", action)
}

func occupancy(t *testing.T, sv *shelter.Service, code string) shelter.Occupancy {
	t.Helper()
	d, err := sv.Dashboard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range d {
		if o.Code == code {
			return o
		}
	}
	t.Fatalf("house %s not on the dashboard", code)
	return shelter.Occupancy{}
}

// TestShelterFlow: a verified case out of quarantine asks for a place, is
// given one within capacity, learns the address only then, is moved to
// sheltered, shows on the dashboard, and checks out.
func TestShelterFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		hid := e.house(t, "MS-3", 4)
		e.house(t, "UP-1", 6)
		id, people := e.arrived(t)

		stay, err := e.sv.Request(ctx, e.handler.Actor, e.handler.Ring, id, people, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Before assignment the case knows no address.
		cs, err := e.sv.CaseStays(ctx, e.handler.Ring, id, e.handler.Actor.Name)
		if err != nil || len(cs) != 1 || cs[0].Disclosed != nil || cs[0].Status != shelter.StatusRequested {
			t.Fatalf("case stays before assignment: %+v, %v", cs, err)
		}
		reqs, err := e.sv.Requests(ctx, e.coord.Ring, e.coord.Actor.Name)
		if err != nil || len(reqs) != 1 || len(reqs[0].Residents) != 2 || reqs[0].Residents[0].NameLatin != "Aung Myo Zaw" {
			t.Fatalf("requests: %+v, %v", reqs, err)
		}
		if err := e.sv.Assign(ctx, e.coord.Actor, e.coord.Ring, stay, hid); err != nil {
			t.Fatal(err)
		}
		cs, err = e.sv.CaseStays(ctx, e.handler.Ring, id, e.handler.Actor.Name)
		if err != nil || len(cs) != 1 || cs[0].Disclosed == nil || cs[0].Disclosed.Address != "12 Example Soi, Mae Sot" || cs[0].HouseCode != "MS-3" {
			t.Fatalf("case stays after assignment: %+v, %v", cs, err)
		}
		if err := e.w.CW.Transition(ctx, e.handler.Actor, e.handler.Ring, id, casework.StateSheltered, "housed"); err != nil {
			t.Fatal(err)
		}
		if sum, _ := e.w.CW.Summary(ctx, id); sum.State != casework.StateSheltered {
			t.Fatalf("case is %s", sum.State)
		}
		o := occupancy(t, e.sv, "MS-3")
		if o.Beds != 4 || o.Used != 2 || o.Free() != 2 {
			t.Fatalf("occupancy %+v", o)
		}
		if o := occupancy(t, e.sv, "UP-1"); o.Used != 0 || o.Free() != 6 {
			t.Fatalf("other house %+v", o)
		}
		res, err := e.sv.Residents(ctx, e.coord.Ring, hid, e.coord.Actor.Name)
		if err != nil || len(res) != 1 || len(res[0].Residents) != 2 {
			t.Fatalf("residents %+v, %v", res, err)
		}

		// Finance never learns a location: no house, no stay, no case.
		if _, err := e.sv.House(ctx, e.finance.Ring, hid, e.finance.Actor.Name); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("finance opened a house: %v", err)
		}
		if rs, err := e.sv.Residents(ctx, e.finance.Ring, hid, e.finance.Actor.Name); err != nil || rs[0].Residents != nil || rs[0].Disclosed != nil {
			t.Fatalf("finance read residents: %+v, %v", rs, err)
		}
		if _, err := e.sv.CaseStays(ctx, e.finance.Ring, id, e.finance.Actor.Name); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("finance read a case's stays: %v", err)
		}
		// Escrow still opens the house.
		h, err := e.sv.House(ctx, escrowRing(e), hid, "escrow")
		if err != nil || h.Contact != "Ko Example" {
			t.Fatalf("escrow: %+v, %v", h, err)
		}

		// Needs.
		nid, err := e.sv.AddNeed(ctx, e.coord.Actor, e.coord.Ring, hid, "medicine", "insulin for one resident")
		if err != nil {
			t.Fatal(err)
		}
		if o := occupancy(t, e.sv, "MS-3"); o.OpenNeeds != 1 {
			t.Fatalf("open needs %+v", o)
		}
		ns, err := e.sv.Needs(ctx, e.coord.Ring, hid, e.coord.Actor.Name)
		if err != nil || len(ns) != 1 || ns[0].Note != "insulin for one resident" {
			t.Fatalf("needs %+v, %v", ns, err)
		}
		if err := e.sv.MeetNeed(ctx, e.coord.Actor, hid, nid); err != nil {
			t.Fatal(err)
		}
		if err := e.sv.MeetNeed(ctx, e.coord.Actor, hid, nid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("meeting a met need: %v", err)
		}
		if o := occupancy(t, e.sv, "MS-3"); o.OpenNeeds != 0 {
			t.Fatalf("open needs after met %+v", o)
		}

		// Check-out frees the beds; a second one is refused.
		if err := e.sv.CheckOut(ctx, e.coord.Actor, stay); err != nil {
			t.Fatal(err)
		}
		if o := occupancy(t, e.sv, "MS-3"); o.Used != 0 {
			t.Fatalf("after check-out %+v", o)
		}
		if err := e.sv.CheckOut(ctx, e.coord.Actor, stay); !errors.Is(err, shelter.ErrNotStaying) {
			t.Fatalf("second check-out: %v", err)
		}
		// After check-out the case no longer holds the address (amber data
		// kept no longer than needed).
		cs, err = e.sv.CaseStays(ctx, e.handler.Ring, id, e.handler.Actor.Name)
		if err != nil || len(cs) != 1 || cs[0].Status != shelter.StatusLeft || cs[0].Disclosed != nil {
			t.Fatalf("case stays after check-out: %+v, %v", cs, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit_entries WHERE actor = $1 AND action LIKE 'shelter.%'", e.finance.Actor.Name); n != 0 {
			t.Fatalf("finance's refused reads were audited as reads: %d", n)
		}
		for _, a := range []string{"shelter.house.create", "shelter.request", "shelter.assign", "shelter.checkout", "shelter.need.add", "shelter.need.met",
			"shelter.house.read", "shelter.residents.read", "shelter.requests.read", "shelter.needs.read", "shelter.case.read"} {
			if audits(t, s, a) == 0 {
				t.Errorf("no audit entry %s", a)
			}
		}
	})
}

func escrowRing(e *env) *keys.Keyring {
	r := keys.NewKeyring()
	id, err := e.w.EscrowID.Clone()
	if err != nil {
		panic(err)
	}
	esc, err := keys.Escrow(context.Background(), e.s.DB())
	if err != nil {
		panic(err)
	}
	r.Add(esc.ID, id)
	return r
}
