package casework_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, "intake")
		noIndex := w.Staff(t, "passage1", []auth.Role{auth.RolePassageCoordinator}, "passage")
		first := w.OpenCase(t, validCase()) // opened by intake without the index keys: indexed later
		if n, err := w.CW.WarmNames(ctx, in.Ring); err != nil || n != 2 {
			t.Fatalf("warm-up indexed %d names: %v", n, err)
		}
		if n := count(t, s, "SELECT count(*) FROM people WHERE indexed = FALSE"); n != 0 {
			t.Fatalf("%d people left unindexed", n)
		}
		c1, _ := w.CW.Get(ctx, in.Ring, first)
		orig := c1.People[0]

		cases := []struct {
			name   string
			p      casework.Person
			reason string
		}{
			{"same NRC written in Burmese", casework.Person{NRC: "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆"}, "same NRC"},
			{"romanised name", casework.Person{NameLatin: "Aung Myo Zaw"}, "similar name"},
			{"Zawgyi name", casework.Person{NameMy: "ေအာင္မ်ိဳးေဇာ္"}, "similar name"},
			{"honorific and spacing", casework.Person{NameLatin: "Ko Aung  Myo Zaw"}, "similar name"},
		}
		for _, tc := range cases {
			got, err := w.CW.Candidates(ctx, in.Ring, tc.p, "")
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(got) == 0 || got[0].PersonID != orig.ID || got[0].CaseID != first || got[0].Score < 0.85 || !strings.HasPrefix(strings.Join(got[0].Reasons, ";"), tc.reason) {
				t.Errorf("%s: candidates %+v", tc.name, got)
			}
		}
		none, err := w.CW.Candidates(ctx, in.Ring, casework.Person{NameLatin: "Hla Hla Win", NRC: "9/MaHtaLa(N)654321"}, "")
		if err != nil || len(none) != 0 {
			t.Errorf("unrelated person: %+v %v", none, err)
		}
		if _, err := w.CW.Candidates(ctx, noIndex.Ring, casework.Person{NameLatin: "Aung Myo Zaw"}, ""); !errors.Is(err, casework.ErrNoIndex) {
			t.Errorf("session without an index key: %v", err)
		}

		// A second case with the same person, added by a session holding the
		// index keys: indexed at once, and found both ways.
		second := w.OpenCase(t, casework.NewCase{Green: validCase().Green, Defector: casework.Person{NameLatin: "Maung Aung Myo Zaw", Phone: "+95 9 123 456 78"}})
		c2, _ := w.CW.Get(ctx, in.Ring, second)
		if _, err := w.CW.WarmNames(ctx, in.Ring); err != nil {
			t.Fatal(err)
		}
		dups, err := w.CW.Duplicates(ctx, in.Ring, c2.People[0].ID)
		if err != nil || len(dups) == 0 || dups[0].PersonID != orig.ID {
			t.Fatalf("duplicates of the second: %+v %v", dups, err)
		}
		kid, err := w.CW.AddPerson(ctx, in.Actor, in.Ring, second, casework.Person{Relation: "child", NameLatin: "Su Su", Phone: "09123 45678"})
		if err != nil {
			t.Fatal(err)
		}
		dups, _ = w.CW.Duplicates(ctx, in.Ring, kid)
		if len(dups) != 1 || dups[0].PersonID != c2.People[0].ID || dups[0].Reasons[0] != "same phone" {
			t.Fatalf("same phone: %+v", dups)
		}
		if _, err := w.CW.Duplicates(ctx, noIndex.Ring, kid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("duplicates of an unreadable person: %v", err)
		}

		// Merge: audited, history kept, the merged person is no candidate.
		if err := w.CW.Merge(ctx, in.Actor, in.Ring, orig.ID, c2.People[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := w.CW.Merge(ctx, in.Actor, in.Ring, orig.ID, c2.People[0].ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second merge: %v", err)
		}
		if err := w.CW.Merge(ctx, in.Actor, in.Ring, orig.ID, orig.ID); err == nil {
			t.Fatal("merged a person into itself")
		}
		merged, err := w.CW.GetPerson(ctx, in.Ring, c2.People[0].ID)
		if err != nil || merged.MergedInto != orig.ID || merged.NameLatin != "Maung Aung Myo Zaw" {
			t.Fatalf("merged person: %+v %v", merged, err)
		}
		dups, _ = w.CW.Duplicates(ctx, in.Ring, orig.ID)
		for _, d := range dups {
			if d.PersonID == c2.People[0].ID {
				t.Fatalf("merged person still a candidate: %+v", dups)
			}
		}
		for _, id := range []int64{first, second} {
			tl, _ := w.CW.Timeline(ctx, in.Ring, id)
			if tl[len(tl)-1].Kind != casework.EventMerged && tl[len(tl)-1].Kind != casework.EventMergedOther {
				t.Errorf("case %d timeline lacks the merge", id)
			}
		}
		if n := count(t, s, "SELECT count(*) FROM audit_entries WHERE action = 'case.person.merge'"); n != 1 {
			t.Fatalf("%d merge audit entries", n)
		}
		w.CW.WipeNames()
		if n, _ := w.CW.WarmNames(ctx, in.Ring); n != 3 {
			t.Fatalf("after wipe and warm-up: %d names", n)
		}

		// A renamed person: the cached index drops the old name and finds
		// the new one (the cache replaces the entry in the name index).
		renamed := orig
		renamed.NameMy, renamed.NameLatin = "", "Thida Htwe"
		if err := w.CW.UpdatePerson(ctx, in.Actor, in.Ring, orig.ID, renamed); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.CW.WarmNames(ctx, in.Ring); n != 3 {
			t.Fatalf("after the rename: %d names", n)
		}
		byName := func(name string) []string {
			t.Helper()
			got, err := w.CW.Candidates(ctx, in.Ring, casework.Person{NameLatin: name}, "")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.PersonID)
			}
			return ids
		}
		if ids := byName("Ma Thida Htwe"); len(ids) != 1 || ids[0] != orig.ID {
			t.Errorf("new name: candidates %v, want %s", ids, orig.ID)
		}
		if ids := byName("Aung Myo Zaw"); slices.Contains(ids, orig.ID) {
			t.Errorf("old name still finds the renamed person: %v", ids)
		}
	})
}

func TestNormalizeNumbers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"09 123 456 789": "09123456789", "+95 9 123 456 789": "09123456789", "0095-9-123456789": "09123456789",
		"၀၉၁၂၃၄၅၆၇၈၉": "09123456789", "12": "", "call me": "", "": "",
	} {
		if got := casework.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"BC-12345": "BC12345", "bc 12345": "BC12345", "၁၂၃၄၅": "12345", "1/2": ""} {
		if got := casework.NormalizeServiceNumber(in); got != want {
			t.Errorf("NormalizeServiceNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
