package casework_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func validCase() casework.NewCase {
	return casework.NewCase{
		Green:    casework.Green{Service: "army", RankBand: "junior_officer", Region: "MMR010", ContactMonth: "2021-08"},
		Defector: casework.Person{NameMy: "အောင်မျိုးဇော်", NameLatin: "Aung Myo Zaw", NRC: "12/OuKaMa(N)123456", DateOfBirth: "1990-01-31"},
		Family:   []casework.Person{{Relation: "spouse", NameMy: "ေဒၚသီတာ", StillInside: true, Risk: "high"}},
	}
}

func setup(t *testing.T, ctx context.Context, s *store.Store) (team keys.Principal, member, outsider *keys.Keyring) {
	t.Helper()
	db := s.Writer()
	escID, _ := keys.GenerateX25519Identity()
	if _, err := keys.CreatePrincipal(ctx, db, keys.KindEscrow, keys.EscrowName, escID.Recipient()); err != nil {
		t.Fatal(err)
	}
	uid, _ := keys.GenerateX25519Identity()
	u, _ := keys.CreatePrincipal(ctx, db, keys.KindUser, "officer", uid.Recipient())
	oid, _ := keys.GenerateX25519Identity()
	o, _ := keys.CreatePrincipal(ctx, db, keys.KindUser, "other", oid.Recipient())
	team, tid, err := keys.CreateTeam(ctx, db, "intake", u)
	if err != nil {
		t.Fatal(err)
	}
	tid.Wipe()
	member = keys.NewKeyring()
	member.Add(u.ID, uid)
	if err := member.UnlockHeld(ctx, db); err != nil {
		t.Fatal(err)
	}
	outsider = keys.NewKeyring()
	outsider.Add(o.ID, oid)
	return team, member, outsider
}

func TestOpenAndReadByKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		team, member, outsider := setup(t, ctx, s)
		cw := casework.New(s)
		var id int64
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = cw.Open(ctx, tx, validCase(), team)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c, err := cw.Get(ctx, member, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.People) != 2 || c.People[0].NameLatin != "Aung Myo Zaw" || c.People[0].Relation != "self" || c.Dependants != 1 {
			t.Fatalf("read back %+v", c)
		}
		spouse := c.People[1]
		if spouse.NameMy != "ဒေါ်သီတာ" || spouse.Originals["name_my"] != "ေဒၚသီတာ" {
			t.Fatalf("Zawgyi name not converted with its original kept: %q %v", spouse.NameMy, spouse.Originals)
		}
		if _, err := cw.Get(ctx, outsider, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("outsider read: %v, want not found", err)
		}
		if _, err := cw.Get(ctx, member, id+100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing case: %v", err)
		}
		list, err := cw.List(ctx, "", 0, 10)
		if err != nil || len(list) != 1 || list[0].Service != "army" {
			t.Fatalf("list: %v %v", list, err)
		}
	})
}

func TestBadInputNamesFieldAndStoresNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		team, _, _ := setup(t, ctx, s)
		cw := casework.New(s)
		secret := "Secret-Name-Qzv"
		cases := []struct {
			field string
			mut   func(*casework.NewCase)
		}{
			{"service", func(c *casework.NewCase) { c.Service = "marines" }},
			{"rank_band", func(c *casework.NewCase) { c.RankBand = "admiral" }},
			{"contact_month", func(c *casework.NewCase) { c.ContactMonth = "2021-13" }},
			{"region", func(c *casework.NewCase) { c.Region = "MMR999" }},
			{"name_latin", func(c *casework.NewCase) { c.Defector.NameLatin = secret + strings.Repeat("x", 600) }},
			{"name_my", func(c *casework.NewCase) { c.Defector.NameMy = secret + "\xff\xfe" }},
			{"dob", func(c *casework.NewCase) { c.Defector.DateOfBirth = secret }},
			{"family[0].relation", func(c *casework.NewCase) { c.Family[0].Relation = "self" }},
			{"family[0].risk", func(c *casework.NewCase) { c.Family[0].Risk = "extreme" }},
		}
		for _, tc := range cases {
			nc := validCase()
			tc.mut(&nc)
			err := s.Tx(ctx, func(tx *sql.Tx) error {
				_, err := cw.Open(ctx, tx, nc, team)
				return err
			})
			var fe *casework.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, casework.ErrInvalid) {
				t.Errorf("%s: got %v", tc.field, err)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error echoes the value: %v", tc.field, err)
			}
		}
		if n, _ := cw.Count(ctx); n != 0 {
			t.Fatalf("%d cases stored from bad input", n)
		}
	})
}
