package cli

import (
	"context"
	"testing"

	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestAddDemoContacts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, err := keys.GenerateIdentity()
		if err != nil {
			t.Fatal(err)
		}
		defer id.Wipe()
		if _, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindEscrow, keys.EscrowName, id.Recipient()); err != nil {
			t.Fatal(err)
		}
		if err := addDemoContacts(ctx, s, 30); err != nil {
			t.Fatal(err)
		}
		var n, web, other, wraps int
		s.DB().QueryRow("SELECT count(*), count(*) FILTER (WHERE channel = 'web'), count(*) FILTER (WHERE channel <> 'web') FROM intake_contacts").Scan(&n, &web, &other)
		s.DB().QueryRow("SELECT count(*) FROM key_wraps WHERE object_kind = 'intake'").Scan(&wraps)
		if n != 30 || web == 0 || other == 0 || wraps != 30 {
			t.Fatalf("demo contacts: %d (web %d, other %d), %d wraps", n, web, other, wraps)
		}
		// Deterministic: the same green attributes every time.
		var first string
		s.DB().QueryRow("SELECT service || region || who FROM intake_contacts ORDER BY seq LIMIT 1").Scan(&first)
		if first == "" {
			t.Fatal("no green attributes")
		}
	})
}
