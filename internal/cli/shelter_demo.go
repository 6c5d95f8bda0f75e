package cli

import (
	"context"
	"fmt"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/shelter"
	"embrace/internal/store"
)

// demoHouses are the demo's safe houses: four in Mae Sot, the border town
// most defectors pass through, one each in Umphang and Mae Hong Son, and a
// camp inside Kayin (Karen) State. Every address, contact and phone is
// invented and marked as such.
var demoHouses = []shelter.NewHouse{
	{Code: "MS-1", Area: "Mae Sot", Beds: 10, Details: shelter.Details{Address: "House 1, Example Soi 3, Mae Sot (fictional)", Contact: "Ko Zaw (fictional)", Phone: "+66 80 000 0101", Notes: "Ring twice at the back gate."}},
	{Code: "MS-2", Area: "Mae Sot", Beds: 12, Details: shelter.Details{Address: "House 2, Example Soi 4, Mae Sot (fictional)", Contact: "Ma Hnin (fictional)", Phone: "+66 80 000 0102", Notes: "Two rooms for families with children."}},
	{Code: "MS-3", Area: "Mae Sot", Beds: 10, Details: shelter.Details{Address: "House 3, Example Soi 5, Mae Sot (fictional)", Contact: "U Tun (fictional)", Phone: "+66 80 000 0103"}},
	{Code: "MS-4", Area: "Mae Sot", Beds: 11, Details: shelter.Details{Address: "House 4, Example Soi 2, Mae Sot (fictional)", Contact: "Daw Khin (fictional)", Phone: "+66 80 000 0104", Notes: "Near the clinic."}},
	{Code: "UP-1", Area: "Umphang", Beds: 8, Details: shelter.Details{Address: "Farm house, Example Road km 4, Umphang (fictional)", Contact: "Saw Htoo (fictional)", Phone: "+66 80 000 0201"}},
	{Code: "MHS-1", Area: "Mae Hong Son", Beds: 10, Details: shelter.Details{Address: "House by the market, Mae Hong Son (fictional)", Contact: "Nang Seng (fictional)", Phone: "+66 80 000 0301"}},
	{Code: "KY-1", Area: "Kayin State", Beds: 25, Details: shelter.Details{Address: "Camp in a liberated area, grid reference withheld (fictional)", Contact: "Camp leader (fictional)", Phone: "satellite phone (fictional)", Notes: "Reached only with a guide."}},
}

// demoFamilies is how many families the demo houses.
const demoFamilies = 24

// demoPending is how many of them are left waiting for a house.
const demoPending = 2

// addShelterDemo gives a new demo its safe houses, residents and needs,
// worked with the steward's keyring (which holds every team key) through
// the same methods staff use: a place is asked for each family, vetting's
// clearance and each house's beds are checked when it is assigned.
//
// The synthetic cases already sheltered (vetting verified them months
// ago, in their synthetic history) are given places; a few that have
// arrived have asked for one and wait for a coordinator.
func addShelterDemo(ctx context.Context, s *store.Store, steward *auth.Session) error {
	cw := casework.New(s)
	sv := shelter.New(s, cw, nil)
	ring := steward.Keyring()
	a := casework.Actor{Name: steward.Actor(), Account: steward.AccountID, Principal: steward.PrincipalID,
		Roles: []auth.Role{auth.RoleCaseHandler, auth.RoleShelterCoordinator}}
	var houses []int64
	for _, h := range demoHouses {
		id, err := sv.CreateHouse(ctx, a, h)
		if err != nil {
			return fmt.Errorf("demo house %s: %w", h.Code, err)
		}
		houses = append(houses, id)
	}
	d := &shelterDemo{cw: cw, sv: sv, a: a, s: s, steward: steward, houses: houses}
	if err := d.shelterSheltered(ctx); err != nil {
		return err
	}
	waiting, err := d.casesIn(ctx, demoPending, casework.StateArrived)
	if err != nil {
		return err
	}
	for _, id := range waiting {
		if _, _, err := d.ask(ctx, id); err != nil {
			return fmt.Errorf("demo request for case %d: %w", id, err)
		}
	}
	needs := []struct {
		house      int
		kind, note string
		met        bool
	}{
		{0, "food", "Rice and cooking oil for ten people, two weeks.", false},
		{1, "medicine", "Malaria tablets; a child needs a doctor for a fever.", false},
		{2, "food", "Baby formula.", true},
		{4, "repairs", "The roof leaks over the back room.", false},
		{6, "medicine", "First-aid kits for the camp.", false},
	}
	for _, n := range needs {
		id, err := sv.AddNeed(ctx, a, ring, houses[n.house], n.kind, n.note)
		if err != nil {
			return fmt.Errorf("demo need: %w", err)
		}
		if n.met {
			if err := sv.MeetNeed(ctx, a, houses[n.house], id); err != nil {
				return fmt.Errorf("demo need: %w", err)
			}
		}
	}
	return nil
}

type shelterDemo struct {
	cw      *casework.Service
	sv      *shelter.Service
	a       casework.Actor
	s       *store.Store
	steward *auth.Session
	houses  []int64
	n       int
}

// casesIn lists up to limit cases in the given states, oldest first.
func (d *shelterDemo) casesIn(ctx context.Context, limit int, states ...string) ([]int64, error) {
	var out []int64
	for _, st := range states {
		rows, err := d.s.DB().QueryContext(ctx, "SELECT id FROM cases WHERE state = $1 ORDER BY id LIMIT $2", st, limit)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out[:min(len(out), limit)], nil
}

// ask asks a place for the people of case id who are out of the country.
func (d *shelterDemo) ask(ctx context.Context, id int64) (int64, int, error) {
	c, err := d.cw.Get(ctx, d.steward.Keyring(), id)
	if err != nil {
		return 0, 0, err
	}
	var people []string
	for _, p := range c.People {
		if (!p.StillInside || p.Relation == "self") && p.MergedInto == "" {
			people = append(people, p.ID)
		}
	}
	stay, err := d.sv.Request(ctx, d.a, d.steward.Keyring(), id, people, 0)
	return stay, len(people), err
}

// assign places stay in the first house, taken in turn, with room for it.
func (d *shelterDemo) assign(ctx context.Context, stay int64, need int) error {
	occ, err := d.sv.Dashboard(ctx)
	if err != nil {
		return err
	}
	free := map[int64]int{}
	for _, o := range occ {
		free[o.ID] = o.Free()
	}
	for i := range d.houses {
		h := d.houses[(d.n+i)%len(d.houses)]
		if free[h] >= need {
			d.n++
			return d.sv.Assign(ctx, d.a, d.steward.Keyring(), stay, h)
		}
	}
	return nil // every house is full: the request stays waiting
}

// shelterSheltered gives places to the synthetic cases already sheltered.
func (d *shelterDemo) shelterSheltered(ctx context.Context) error {
	ids, err := d.casesIn(ctx, demoFamilies, casework.StateSheltered)
	if err != nil {
		return err
	}
	for _, id := range ids {
		stay, n, err := d.ask(ctx, id)
		if err != nil {
			return fmt.Errorf("demo stay for case %d: %w", id, err)
		}
		if err := d.assign(ctx, stay, n); err != nil {
			return fmt.Errorf("demo stay for case %d: %w", id, err)
		}
	}
	return nil
}
